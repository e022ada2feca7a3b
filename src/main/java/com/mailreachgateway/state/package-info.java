/**
 * Account state: the cache of accounts as MailReach returned them, and the per-account lanes
 * that keep updates to one account in arrival order.
 */
package com.mailreachgateway.state;
