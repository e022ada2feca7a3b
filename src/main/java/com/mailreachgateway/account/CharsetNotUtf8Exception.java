package com.mailreachgateway.account;

import com.mailreachgateway.system.GatewayException;
import com.mailreachgateway.system.ProblemType;

import org.springframework.http.HttpStatus;

/** Thrown when a request's {@code Content-Type} names a charset other than UTF-8 (415). */
class CharsetNotUtf8Exception extends GatewayException {

    CharsetNotUtf8Exception() {
        super(ProblemType.HTTP_ERROR, HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                "The body must be JSON in UTF-8: send Content-Type application/json, without a charset or with charset=utf-8.");
    }

}
