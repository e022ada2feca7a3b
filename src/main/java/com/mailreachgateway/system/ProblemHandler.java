package com.mailreachgateway.system;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.util.DisconnectedClientHelper;

/**
 * Renders every error as {@code application/problem+json}: the gateway's own
 * {@link GatewayException}s and the framework's (malformed input, 404, 405, 415, ...). No body
 * ever carries a stack trace, a class name, a host name or a key.
 */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger logger = LoggerFactory.getLogger(ProblemHandler.class);

    private final String tooLargeDetail;

    ProblemHandler(BodyLimit bodyLimit) {
        this.tooLargeDetail = "The request body is larger than the gateway accepts (" + bodyLimit.text() + ").";
    }

    @ExceptionHandler(DataBufferLimitException.class)
    Mono<ResponseEntity<Object>> handleTooLarge(DataBufferLimitException ex, ServerWebExchange exchange) {
        return render(new PayloadTooLargeException(), exchange);
    }

    @ExceptionHandler(Exception.class)
    Mono<ResponseEntity<Object>> handleUnexpected(Exception ex, ServerWebExchange exchange) {
        if (DisconnectedClientHelper.isClientDisconnectedException(ex)) {
            // The caller closed its connection: nobody is left to answer, and it is not a defect.
            logger.debug("Caller disconnected before its answer: {}", ex.toString());
            return Mono.empty();
        }
        try (RequestIds.MdcScope scope = RequestIds.inMdc(RequestIds.of(exchange))) {
            logger.error("Unexpected error", ex);
        }
        ProblemDetail problem = ProblemType.INTERNAL_ERROR.problem(HttpStatus.INTERNAL_SERVER_ERROR,
                "The gateway failed unexpectedly; quote the request id when reporting it.");
        return handleExceptionInternal(ex, problem, new HttpHeaders(), HttpStatus.INTERNAL_SERVER_ERROR, exchange);
    }

    @Override
    protected Mono<ResponseEntity<Object>> handleServerWebInputException(ServerWebInputException ex,
            HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
        if (ex.contains(DataBufferLimitException.class)) {
            return render(new PayloadTooLargeException(), exchange);
        }
        ProblemDetail problem = ProblemType.INVALID_REQUEST.problem(HttpStatus.BAD_REQUEST, "The request is malformed.");
        String field = (ex.getMethodParameter() != null) ? ex.getMethodParameter().getParameterName() : "body";
        problem.setProperty("errors", List.of(Map.of("field", String.valueOf(field), "message", "is malformed")));
        return handleExceptionInternal(ex, problem, headers, HttpStatus.BAD_REQUEST, exchange);
    }

    @Override
    protected Mono<ResponseEntity<Object>> handleHandlerMethodValidationException(
            HandlerMethodValidationException ex, HttpHeaders headers, HttpStatusCode status,
            ServerWebExchange exchange) {
        ProblemDetail problem = ProblemType.INVALID_REQUEST.problem(HttpStatus.BAD_REQUEST, "The request is invalid.");
        problem.setProperty("errors", ex.getParameterValidationResults()
            .stream()
            .flatMap((result) -> result.getResolvableErrors()
                .stream()
                .map((error) -> Map.of("field", String.valueOf(result.getMethodParameter().getParameterName()),
                        "message", String.valueOf(error.getDefaultMessage()))))
            .toList());
        return handleExceptionInternal(ex, problem, headers, HttpStatus.BAD_REQUEST, exchange);
    }

    private Mono<ResponseEntity<Object>> render(GatewayException ex, ServerWebExchange exchange) {
        return handleExceptionInternal(ex, ex.getBody(), ex.getHeaders(), ex.getStatusCode(), exchange);
    }

    /**
     * Every problem, framework or ours, passes here: give it a type and the request id. The body is a
     * copy: one exception may answer several requests (callers sharing one account read), and each
     * answer carries its own request id.
     */
    @Override
    protected Mono<ResponseEntity<Object>> createResponseEntity(Object body, HttpHeaders headers,
            HttpStatusCode status, ServerWebExchange exchange) {
        if (body instanceof ProblemDetail shared) {
            ProblemDetail problem = copy(shared);
            body = problem;
            if (problem.getType() == null || URI.create("about:blank").equals(problem.getType())) {
                // A framework problem: typed from the catalogue, its own title (e.g. Not Found) kept.
                boolean tooLarge = status.value() == ProblemType.PAYLOAD_TOO_LARGE.status().value();
                problem.setType(tooLarge ? ProblemType.PAYLOAD_TOO_LARGE.type() : ProblemType.HTTP_ERROR.type());
                if (tooLarge) {
                    problem.setDetail(this.tooLargeDetail);
                }
            }
            Object requestId = exchange.getAttribute(RequestIds.ATTRIBUTE);
            if (requestId != null) {
                problem.setProperty("requestId", requestId);
            }
        }
        return super.createResponseEntity(body, headers, status, exchange);
    }


    private static ProblemDetail copy(ProblemDetail source) {
        ProblemDetail copy = ProblemDetail.forStatus(source.getStatus());
        copy.setType(source.getType());
        copy.setTitle(source.getTitle());
        copy.setDetail(source.getDetail());
        copy.setInstance(source.getInstance());
        if (source.getProperties() != null) {
            source.getProperties().forEach(copy::setProperty);
        }
        return copy;
    }

    /** Thrown when a request body is larger than the codec limit. */
    static final class PayloadTooLargeException extends GatewayException {

        PayloadTooLargeException() {
            super(ProblemType.PAYLOAD_TOO_LARGE, "The request body is larger than the gateway accepts.");
        }

    }

}
