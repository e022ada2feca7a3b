package com.mailreachgateway.state;

import java.util.Optional;

import reactor.core.publisher.Mono;

/**
 * Where cached accounts live: this process (Caffeine), or Redis when replicas share them. Every
 * write gets a version higher than any before it in the store, so a read that started before an
 * update can tell that it must not store its older answer over the update's.
 */
public interface AccountStore {

    /** The stored copy, fresh or not. */
    Mono<Optional<CachedAccount>> get(int id);

    /** Stores what an update got from MailReach now; it replaces whatever was there. */
    Mono<CachedAccount> put(int id, byte[] json);

    /** The version a read starting now must not be older than when it stores its answer. */
    Mono<ReadStart> latestVersion();

    /**
     * Stores what a read got, unless a write newer than {@code versionAtStart} is stored: then that
     * newer copy is returned and kept.
     */
    Mono<CachedAccount> putRead(int id, byte[] json, ReadStart versionAtStart);

    /**
     * Drops the copy; completes when it is gone, or when the store has taken charge of dropping it
     * later (a shared store that cannot reach its server drops it before it serves from there again).
     */
    Mono<Void> evict(int id);

    /**
     * The latest versions when a read started: of the store, and of the fallback copy a shared store
     * keeps in this process ({@code -1}: that store did not answer).
     *
     * @param version the store's latest version
     * @param fallbackVersion the local fallback's latest version (the same as {@code version} for a local store)
     */
    record ReadStart(long version, long fallbackVersion) {
    }

}
