/**
 * The company's warming policy: tiers, rules, decisions and their explanations. Plain Java
 * that gets a request and the account's state and returns a decision.
 */
package com.mailreachgateway.policy;
