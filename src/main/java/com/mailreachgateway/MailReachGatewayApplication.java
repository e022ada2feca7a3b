package com.mailreachgateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The gateway that company systems call instead of MailReach. */
@SpringBootApplication
public class MailReachGatewayApplication {

    public static void main(String[] args) {
        SpringApplication.run(MailReachGatewayApplication.class, args);
    }

}
