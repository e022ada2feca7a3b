package com.mailreachgateway.upstream;

import java.io.IOException;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

class AnswerKindsTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @ParameterizedTest(name = "HTTP {0} is {1}")
    @CsvSource(textBlock = """
            429, THROTTLED
            401, AUTH_ERROR
            403, AUTH_ERROR
            500, SERVER_ERROR
            502, SERVER_ERROR
            503, SERVER_ERROR
            400, CLIENT_ERROR
            404, CLIENT_ERROR
            422, CLIENT_ERROR
            301, BAD_RESPONSE
            302, BAD_RESPONSE
            101, BAD_RESPONSE
            """)
    void statusIsClassifiedAsMailReachsRetryGuidanceSortsIt(int status, AttemptFailure.Kind kind) {
        assertThat(AnswerKinds.ofStatus(status)).isEqualTo(kind);
    }

    @ParameterizedTest(name = "{0}, written {1}: {2}")
    @CsvSource(textBlock = """
            timeout,    false, NOT_SENT
            io,         false, NOT_SENT
            other,      false, NOT_SENT
            timeout,    true,  TIMEOUT
            readTimeout, true, TIMEOUT
            io,         true,  CONNECTION_LOST
            other,      true,  CONNECTION_LOST
            """)
    void failureWithoutStatusIsNotSentUnlessWrittenThenTimeoutOrLost(String failure, boolean written,
            AttemptFailure.Kind kind) {
        Throwable ex = switch (failure) {
            case "timeout" -> new RuntimeException(new TimeoutException());
            case "readTimeout" -> io.netty.handler.timeout.ReadTimeoutException.INSTANCE;
            case "io" -> new IOException("reset");
            default -> new IllegalStateException("boom");
        };

        assertThat(AnswerKinds.withoutStatus(ex, written)).isEqualTo(kind);
    }

    @ParameterizedTest(name = "[{0}] with HTTP {1} reads as [{2}]")
    @CsvSource(delimiter = '|', textBlock = """
            '{"message": "bad target"}'               | 400 | 'bad target'
            '{"error": "no such account"}'            | 404 | 'no such account'
            '{"detail": "too fast"}'                  | 422 | 'too fast'
            '{"message": 5, "error": "typed"}'        | 400 | 'typed'
            '{"other": "x"}'                          | 400 | '{"other": "x"}'
            'plain text'                              | 400 | 'plain text'
            '  '                                      | 400 | 'MailReach answered HTTP 400.'
            ''                                        | 503 | 'MailReach answered HTTP 503.'
            """)
    void messageIsMailReachsOwnTextElseTheBodyElseTheStatus(String body, int status, String message) {
        assertThat(AnswerKinds.message(JSON, body, status)).isEqualTo(message);
    }

    @ParameterizedTest(name = "{0} answers {1}")
    @CsvSource(textBlock = """
            BAD_RESPONSE, a status MailReach's API does not answer
            CLIENT_ERROR, MailReach answered HTTP 301.
            """)
    void statusOutsideTheApiIsNotPassedOnWhateverTheBody(AttemptFailure.Kind kind, String message) {
        assertThat(AnswerKinds.upstreamMessage(JSON, kind, "", 301)).isEqualTo(message);
    }

    @org.junit.jupiter.api.Test
    void messageIsCutAt500Characters() {
        assertThat(AnswerKinds.message(JSON, "x".repeat(600), 400)).hasSize(500);
    }

}
