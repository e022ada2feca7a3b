/**
 * The account API callers see: MailReach's own update contract, strict validation, and the
 * orchestration of caller, policy, per-account lane, upstream call and cache.
 */
package com.mailreachgateway.account;
