/**
 * Who is calling: callers configured by name, key hash, tier and field rights, and the
 * {@code X-Api-Key} authentication that turns a request into a {@link com.mailreachgateway.caller.Caller}.
 */
package com.mailreachgateway.caller;
