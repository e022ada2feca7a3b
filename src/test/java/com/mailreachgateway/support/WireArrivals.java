package com.mailreachgateway.support;

import java.util.List;

/**
 * The busiest second in the arrival times the MailReach stand-in logged: the budget is a promise
 * about what MailReach sees, so tests count it there and never in the gateway's own counters.
 */
public final class WireArrivals {

    private WireArrivals() {
    }

    /** Most arrivals in any one-second window {@code [t, t + 1000 ms)}. */
    public static int busiestSecond(List<Long> arrivals) {
        List<Long> sorted = arrivals.stream().sorted().toList();
        int busiest = 0;
        int first = 0;
        for (int last = 0; last < sorted.size(); last++) {
            while (sorted.get(last) - sorted.get(first) >= 1000) {
                first++;
            }
            busiest = Math.max(busiest, last - first + 1);
        }
        return busiest;
    }

    /** Most arrivals in any one-second window that starts within {@code [from, to)} (ms). */
    public static int busiestSecond(List<Long> arrivals, long from, long to) {
        List<Long> sorted = arrivals.stream().sorted().toList();
        int busiest = 0;
        for (int i = 0; i < sorted.size(); i++) {
            long start = sorted.get(i);
            if (start < from || start >= to) {
                continue;
            }
            int count = 0;
            for (int j = i; j < sorted.size() && sorted.get(j) < start + 1000; j++) {
                count++;
            }
            busiest = Math.max(busiest, count);
        }
        return busiest;
    }

}
