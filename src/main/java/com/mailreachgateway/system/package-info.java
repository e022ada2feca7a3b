/**
 * Cross-cutting plumbing: the problem+json catalogue and handler, request ids, the audit log.
 */
package com.mailreachgateway.system;
