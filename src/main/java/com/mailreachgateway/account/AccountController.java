package com.mailreachgateway.account;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.mailreachgateway.caller.Caller;
import com.mailreachgateway.system.RequestIds;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import reactor.core.publisher.Mono;

import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

/**
 * MailReach's account contract, served to company systems: {@code POST} (and {@code PATCH})
 * to update, {@code GET} to read through the cache. The answer to an update is the account
 * exactly as MailReach returned it, with the policy's explanation in headers.
 */
@RestController
@RequestMapping("/api/v1/accounts")
@SecurityRequirement(name = "X-Api-Key")
class AccountController {

    // The id and headers are documented on the method and read from the request by the code that
    // checks them: no @PathVariable or @RequestHeader argument (the id is checked from the raw path,
    // and annotated arguments cost a type conversion and an annotation comparison per request).
    private static final String ID_DESCRIPTION = "Account id, 1..2147483647";

    private final RequestChecks checks;

    private final AccountUpdates updates;

    private final AccountReads reads;

    AccountController(RequestChecks checks, AccountUpdates updates, AccountReads reads) {
        this.checks = checks;
        this.updates = updates;
        this.reads = reads;
    }

    @Operation(summary = "Update an account",
            description = "MailReach's own update: fields absent from the body stay unchanged. The gateway validates "
                    + "strictly, applies the warming policy (values above the caller's caps are forwarded at the cap and "
                    + "listed in X-Policy-Adjusted), forwards with the company key, and answers with the account as "
                    + "MailReach returned it. With dry_run=true nothing is sent to MailReach: the answer shows the tier, "
                    + "every rule's decision and the body that would be forwarded.")
    @ApiResponse(responseCode = "200", description = "The updated account, as MailReach returned it (or the dry-run preview)",
            content = @Content(mediaType = "application/json"))
    @ApiResponse(responseCode = "400", description = "Invalid id, query parameter or body; every bad one listed in errors",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "#/components/schemas/Problem")))
    @ApiResponse(responseCode = "401", description = "Missing or unknown X-Api-Key", content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "#/components/schemas/Problem")))
    @ApiResponse(responseCode = "403", description = "The caller may not change a field", content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "#/components/schemas/Problem")))
    // 413 (its limit read from the configuration) and the other catalogue problems: OpenApiConfiguration.
    @ApiResponse(responseCode = "415", description = "Body not JSON, or a charset other than UTF-8", content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "#/components/schemas/Problem")))
    @ApiResponse(responseCode = "422", description = "A policy rule in reject mode refused a value", content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "#/components/schemas/Problem")))
    @ApiResponse(responseCode = "429", description = "The gateway's MailReach rate limit is saturated; see Retry-After", content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "#/components/schemas/Problem")))
    @ApiResponse(responseCode = "502", description = "MailReach failing after retries, or refusing the gateway's key", content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "#/components/schemas/Problem")))
    @ApiResponse(responseCode = "503", description = "Circuit open or MailReach throttling; see Retry-After", content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "#/components/schemas/Problem")))
    @ApiResponse(responseCode = "504", description = "MailReach did not answer within the deadline", content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "#/components/schemas/Problem")))
    @Parameter(name = QueryParameters.DRY_RUN, in = ParameterIn.QUERY,
            description = "true previews the policy's decision without calling MailReach; absent or false updates; "
                    + "any other value, and any other query parameter, is refused",
            schema = @Schema(type = "boolean", allowableValues = { "true", "false" }))
    @RequestMapping(path = "/{id}", method = { RequestMethod.POST, RequestMethod.PATCH },
            consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    @Parameter(name = "id", in = ParameterIn.PATH, required = true, description = ID_DESCRIPTION,
            schema = @Schema(type = "integer", format = "int32", minimum = "1", maximum = "2147483647"))
    Mono<ResponseEntity<byte[]>> update(@Parameter(hidden = true) Caller caller,
            @Parameter(hidden = true) ServerWebExchange exchange,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                    content = @Content(schema = @Schema(ref = AccountUpdateDocument.REF))) @RequestBody(
                            required = false) Mono<byte[]> body) {
        // The body is read here rather than before the call, so that a body over the limit (413) is an
        // invalid update recorded like the others, not an error the update never saw.
        return body.map(Optional::of)
            .defaultIfEmpty(Optional.empty())
            .onErrorResume(Outcomes::tooLarge,
                    (ex) -> this.updates.refuseInvalid(RequestIds.of(exchange), caller,
                            this.checks.accountIdOrNull(exchange.getRequest()), Map.of(), ex))
            .flatMap((bytes) -> checkAndUpdate(caller, exchange, bytes.orElse(null)));
    }

    private Mono<ResponseEntity<byte[]>> checkAndUpdate(Caller caller, ServerWebExchange exchange, byte[] body) {
        RequestChecks.CheckedUpdate checked = this.checks.update(exchange.getRequest(), body);
        if (checked.error() != null) {
            // Invalid updates are updates too: one sample and one audit line each, like every other.
            return this.updates.refuseInvalid(RequestIds.of(exchange), caller, checked.accountId(), checked.sent(),
                    checked.error());
        }
        boolean dryRun = checked.dryRun();
        return this.updates.update(RequestIds.of(exchange), caller, checked.accountId(), checked.update(), dryRun)
            .map((result) -> {
                ResponseEntity.BodyBuilder response = ResponseEntity.ok()
                    .contentType(MediaType.APPLICATION_JSON)
                    .header(PolicyHeaders.TIER, result.decision().tier())
                    .header(PolicyHeaders.VERSION, result.decision().policyVersion());
                String adjusted = PolicyHeaders.adjusted(result.decision());
                if (!adjusted.isEmpty()) {
                    response.header(PolicyHeaders.ADJUSTED, adjusted);
                }
                return response.body(dryRun ? result.preview() : result.account());
            });
    }

    @Operation(summary = "Read an account",
            description = "Served from the gateway's cache when fresh (X-Cache: HIT, with Age); otherwise read from MailReach "
                    + "(MISS). While MailReach fails, a copy younger than stale-if-error is served (STALE). "
                    + "Cache-Control: no-cache forces a read from MailReach.")
    @ApiResponse(responseCode = "200", description = "The account, as MailReach returned it", content = @Content(mediaType = "application/json"))
    @ApiResponse(responseCode = "400", description = "Invalid id", content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "#/components/schemas/Problem")))
    @ApiResponse(responseCode = "401", description = "Missing or unknown X-Api-Key", content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "#/components/schemas/Problem")))
    @ApiResponse(responseCode = "404", description = "MailReach knows no such account", content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "#/components/schemas/Problem")))
    @GetMapping(path = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Parameter(name = "id", in = ParameterIn.PATH, required = true, description = ID_DESCRIPTION,
            schema = @Schema(type = "integer", format = "int32", minimum = "1", maximum = "2147483647"))
    @Parameter(name = HttpHeaders.CACHE_CONTROL, in = ParameterIn.HEADER, description = "no-cache forces a read from MailReach",
            schema = @Schema(type = "string"))
    Mono<ResponseEntity<byte[]>> read(@Parameter(hidden = true) Caller caller,
            @Parameter(hidden = true) ServerHttpRequest request) {
        String cacheControl = request.getHeaders().getFirst(HttpHeaders.CACHE_CONTROL);
        int accountId;
        try {
            accountId = this.checks.read(request);
        }
        catch (InvalidRequestException ex) {
            return Mono.error(ex);
        }
        boolean noCache = cacheControl != null && cacheControl.toLowerCase(Locale.ROOT).contains("no-cache");
        return this.reads.read(accountId, noCache)
            .map((result) -> ResponseEntity.ok()
                .contentType(MediaType.APPLICATION_JSON)
                .header("X-Cache", result.status().name())
                .header(HttpHeaders.AGE, Long.toString(result.age().toSeconds()))
                .cacheControl(CacheControl.noCache().cachePrivate())
                .body(result.account()));
    }

}
