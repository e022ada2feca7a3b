/**
 * An in-process MailReach simulator for local runs: seeded accounts behind MailReach's own
 * paths, reached over real HTTP through the same client as production. Never active under
 * the {@code prod} profile.
 */
package com.mailreachgateway.sandbox;
