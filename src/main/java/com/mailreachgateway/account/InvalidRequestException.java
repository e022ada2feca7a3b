package com.mailreachgateway.account;

import java.util.List;
import java.util.Map;

import com.mailreachgateway.system.GatewayException;
import com.mailreachgateway.system.ProblemType;

/** Thrown when a request does not validate; names every bad field, and nothing goes upstream. */
class InvalidRequestException extends GatewayException {

    private final List<FieldError> errors;

    InvalidRequestException(List<FieldError> errors) {
        super(ProblemType.INVALID_REQUEST, summary(errors));
        this.errors = List.copyOf(errors);
        getBody().setProperty("errors",
                errors.stream().map((error) -> Map.of("field", error.field(), "message", error.message())).toList());
    }

    InvalidRequestException(String field, String message) {
        this(List.of(new FieldError(field, message)));
    }

    List<FieldError> errors() {
        return this.errors;
    }

    private static String summary(List<FieldError> errors) {
        return (errors.size() == 1) ? errors.get(0).field() + " " + errors.get(0).message()
                : errors.size() + " fields are invalid.";
    }

}
