using System.Diagnostics;
using System.Net;
using Gateway.Configuration;
using Gateway.Credentials;
using Gateway.Decisions;
using Gateway.Dialing;
using Gateway.Interception.Dlp;
using Gateway.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Interception.Forwarding;

/// <summary>
/// Serves every request of a terminated connection. <see cref="EgressDecider.DecideRequest"/> decides it
/// first: well formed (no CONNECT, no HTTP/2 field that RFC 9113 forbids, else 400), naming the decided host
/// (invariant 4, else 421), passing the host's L7 rules (else 403; under report mode it goes on,
/// audited as <c>wouldBlock</c>). Then it gets its credentials (a
/// missing one is a 502 and nothing is sent; a placeholder toward the wrong host is refused and
/// audited). Then YARP forwards it over TLS to the decided name, HTTP/2 staying HTTP/2 when the
/// upstream offers it, with WebSocket upgrades and streamed bodies passing through. Every request is
/// one audit event, written by <see cref="EgressRecorder"/> from its verdict.
/// </summary>
internal sealed partial class InterceptedRequestHandler
{
    private readonly IHttpForwarder _forwarder;
    private readonly Dialer _dialer;
    private readonly UpstreamHttpClient _client;
    private readonly Placeholders _placeholders;
    private readonly CredentialBroker _broker;
    private readonly SigV4Resigner _resigner;
    private readonly GatewayMetrics _metrics;
    private readonly EgressDecider _decider;
    private readonly EgressRecorder _recorder;
    private readonly DlpInspection _dlp;
    private readonly ILogger<InterceptedRequestHandler> _logger;
    private readonly ForwarderRequestConfig _http11;
    private readonly ForwarderRequestConfig _http2;
    private readonly Sandboxes.SandboxBudgets _budgets;

    public InterceptedRequestHandler(
        IHttpForwarder forwarder, Dialer dialer, UpstreamHttpClient client, Placeholders placeholders, CredentialBroker broker, SigV4Resigner resigner, GatewayConfig config, GatewayMetrics metrics, EgressDecider decider, EgressRecorder recorder, Sandboxes.SandboxBudgets budgets, DlpInspection dlp, ILogger<InterceptedRequestHandler> logger)
    {
        _decider = decider;
        _budgets = budgets;
        _dlp = dlp;
        _forwarder = forwarder;
        _dialer = dialer;
        _client = client;
        _placeholders = placeholders;
        _broker = broker;
        _resigner = resigner;
        _metrics = metrics;
        _recorder = recorder;
        _logger = logger;
        _http11 = new ForwarderRequestConfig { ActivityTimeout = config.Limits.IdleTimeout, Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower };
        _http2 = new ForwarderRequestConfig { ActivityTimeout = config.Limits.IdleTimeout, Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower };
    }

    /// <summary>True for requests that arrived on a connection the L4 middleware terminated.</summary>
    public static bool IsIntercepted(HttpContext context) => InterceptionSession.Of(context) is not null;

    public async Task HandleAsync(HttpContext context)
    {
        long started = Stopwatch.GetTimestamp();
        InterceptionSession session = InterceptionSession.Of(context)!;
        InterceptionPlan plan = session.Plan;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = null; // a proxy streams bodies; it does not cap uploads the upstream accepts
        }

        string rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        EgressVerdict verdict = _decider.DecideRequest(session.Verdict, context, rawTarget, started, out string? problem, out HttpRuleEntry? rule);
        if (!verdict.LetsThrough && verdict.Reason != EgressReason.L7Rule)
        {
            await RefuseAsync(context, verdict, blocked: false, problem!).ConfigureAwait(false);
            return;
        }

        // A request its rules decided counts against the sandbox's request budgets, refused or not.
        if (_budgets.Admit(context) is var exceeded and not Sandboxes.BudgetKind.None)
        {
            string reason = Sandboxes.BudgetNames.Reason(exceeded);
            EgressVerdict over = _decider.RefuseRequest(in verdict, reason, StatusCodes.Status429TooManyRequests, reason, error: null);
            await RefuseAsync(context, over, blocked: true, Sandboxes.BudgetNames.Message(exceeded, session.Sandbox)).ConfigureAwait(false);
            return;
        }

        if (!verdict.LetsThrough)
        {
            context.Response.Headers["X-Gateway-Rule"] = rule?.Id ?? "no-match";
            await RefuseAsync(context, verdict, blocked: true, problem!).ConfigureAwait(false);
            return;
        }

        // Outgoing DLP (DESIGN.md "Exfiltration controls"): a hit is refused with reason dlp:<pattern> before
        // anything is sent, or under network.dlp: report goes on and is audited as wouldBlock with that reason.
        (DlpPattern dlpHit, DlpRequestBody? dlpBody) = await _dlp.InspectAsync(context, rawTarget, session).ConfigureAwait(false);
        using DlpRequestBody? scannedBody = dlpBody;
        if (dlpHit != DlpPattern.None)
        {
            if (await DlpHitAsync(context, session, verdict, dlpHit).ConfigureAwait(false))
            {
                return;
            }

            verdict = DlpReported(in verdict, dlpHit);
        }

        RequestCredentials credentials = await RequestCredentials.PrepareAsync(
            context.Request, rawTarget, plan, session.Sandbox, _placeholders, _broker, context.RequestAborted).ConfigureAwait(false);
        if (credentials.Outcome != InjectionOutcome.Ready
            || !credentials.CheckAwsPlaceholders(context.Request, rawTarget, plan, session.Sandbox, _placeholders))
        {
            await RefuseCredentialsAsync(context, verdict, credentials).ConfigureAwait(false);
            return;
        }

        if (credentials.SigV4 is { } sigV4)
        {
            try
            {
                credentials.Signing = await SigV4Signing.PrepareAsync(
                    context.Request, plan.Host, plan.Port, sigV4.Auth, sigV4.Keys, _resigner, context.RequestAborted).ConfigureAwait(false);
            }
            catch (DlpBlockedException) when (dlpBody is { Hit: not DlpPattern.None } hit)
            {
                // Hashing the body for SigV4 read it to the end, and DLP found a secret in it.
                await DlpHitAsync(context, session, verdict, hit.Hit).ConfigureAwait(false);
                return;
            }
            if (credentials.Signing.Refusal is { } refusal)
            {
                // A form the gateway cannot re-sign is the request's, not a gateway fault; a 502 is the credential's.
                bool unsignable = credentials.Signing.Status != StatusCodes.Status502BadGateway;
                EgressVerdict refused = _decider.RefuseRequest(
                    in verdict,
                    unsignable ? EgressReason.Malformed : EgressReason.CredentialUnavailable,
                    credentials.Signing.Status,
                    ruleId: null,
                    unsignable ? ErrorKind.MalformedRequest : null);
                await RefuseAsync(context, refused, blocked: false, refusal).ConfigureAwait(false);
                return;
            }
        }

        using SigV4Signing? signing = credentials.Signing;
        if (credentials.BodyPlaceholders.Count > 0)
        {
            PlaceholderBodyStream.Attach(context, credentials.BodyPlaceholders);
        }

        RelayedBytes bytes = RelayedBytes.Attach(context);
        var transformer = new CredentialInjector(credentials, session.Permissions, session.KitProxy) { Bytes = bytes };
        ForwarderRequestConfig requestConfig = HttpProtocol.IsHttp2(context.Request.Protocol) ? _http2 : _http11;
        ForwarderError error = await SendAsync(context, plan, session, requestConfig, transformer).ConfigureAwait(false);
        EgressError dialError = transformer.Outcome.Error;

        // Decided before an error answer below starts the response: that answer is the gateway's, not the upstream's.
        bool sent = CredentialDelivery.MayHaveLeft(error, context, transformer.Outcome);
        DlpPattern lateHit = dlpHit == DlpPattern.None ? DlpInspection.LateHit(context, dlpBody) : DlpPattern.None;
        if (lateHit != DlpPattern.None)
        {
            if (await DlpHitAsync(context, session, verdict, lateHit).ConfigureAwait(false))
            {
                return;
            }

            verdict = DlpReported(in verdict, lateHit);
        }

        if (error != ForwarderError.None && !context.Response.HasStarted)
        {
            // A body Kestrel could not read (bad chunk framing, cut short) is the client's fault:
            // 400 as on the absolute-form path, not a 502 blaming the upstream.
            bool clientBody = error == ForwarderError.RequestBodyClient;
            string reason = dialError != EgressError.None ? EgressErrors.Reason(dialError, transformer.Outcome.Socks5Proxy)
                : clientBody ? "the request body is malformed or ended early; the request was abandoned" : $"the upstream request failed ({error})";
            context.Response.StatusCode = dialError != EgressError.None ? EgressErrors.StatusCode(dialError)
                : clientBody ? StatusCodes.Status400BadRequest : StatusCodes.Status502BadGateway;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync($"{plan.Authority}: {reason}.\n").ConfigureAwait(false);
        }

        if (sent)
        {
            RecordInjections(credentials);
        }

        string? injected = sent && credentials.Sources.Count > 0 ? string.Join(",", credentials.Sources) : null;
        Log.Forwarded(_logger, session.Sandbox, context.Request.Method, plan.Authority, context.Request.Protocol, context.Response.StatusCode, injected ?? "-");

        // A pooled connection was not dialled for this request: its pool's route says how it left.
        bool viaSocks5 = transformer.Outcome.Dialled
            ? transformer.Outcome.Socks5Proxy is not null
            : _dialer.RoutesThroughSocks5(plan.Host, session.Permissions, session.KitProxy);
        await _recorder.RecordAsync(
            in verdict, new EgressOutcome(context.Response.StatusCode, bytes.In, bytes.Out, dialError, viaSocks5, injected)
            {
                Method = context.Request.Method,
                Path = RequestPath(context.Request),
            }).ConfigureAwait(false);
        if (error != ForwarderError.None && ClientConnection.IsGone(context))
        {
            context.Abort();
        }
    }

    // A DLP hit, counted and logged; true when it was refused (block mode). Found before anything was sent, or past
    // the prefetched part of the body: then the read failed, so the forwarder aborted the upstream request before
    // its body was complete, and the client gets the 403 when no response has started.
    private async ValueTask<bool> DlpHitAsync(HttpContext context, InterceptionSession session, EgressVerdict verdict, DlpPattern hit)
    {
        _dlp.Observe(session, hit);
        if (session.Plan.DlpReports)
        {
            return false;
        }

        string reason = DlpPatterns.Reason(hit);
        if (!context.Response.HasStarted)
        {
            context.Response.Clear();
            EgressVerdict refused = _decider.RefuseRequest(in verdict, reason, StatusCodes.Status403Forbidden, reason, error: null);
            await RefuseAsync(context, refused, blocked: true, DlpInspection.RefusalBody(hit, session.Plan.Host)).ConfigureAwait(false);
        }
        else
        {
            context.Abort();
            EgressVerdict refused = _decider.RefuseRequest(in verdict, reason, context.Response.StatusCode, reason, error: null);
            await _recorder.RecordAsync(in refused, EgressOutcome.Refused(refused.Status) with { Method = context.Request.Method, Path = RequestPath(context.Request) }).ConfigureAwait(false);
        }

        return true;
    }

    // Under network.dlp: report the hit goes on, audited as wouldBlock with its dlp:<pattern> reason.
    private static EgressVerdict DlpReported(in EgressVerdict verdict, DlpPattern hit)
    {
        string reason = DlpPatterns.Reason(hit);
        return verdict with { Reason = reason, RuleId = reason, WouldBlock = true };
    }

    // One of the connection's limits.upstreamRequestsPerConnection slots for the time the request is
    // upstream: a request aborted while waiting for one is not sent (RequestCanceled, as YARP says).
    private async Task<ForwarderError> SendAsync(HttpContext context, InterceptionPlan plan, InterceptionSession session, ForwarderRequestConfig requestConfig, CredentialInjector transformer)
    {
        UpstreamRequestSlots? slots = UpstreamRequestSlots.Of(context);
        if (slots is not null && !await slots.EnterAsync(context.RequestAborted).ConfigureAwait(false))
        {
            return ForwarderError.RequestCanceled;
        }

        try
        {
            return await _forwarder.SendAsync(context, "https://" + plan.Authority, _client.For(session.KitProxy, session.Permissions), requestConfig, transformer).ConfigureAwait(false);
        }
        finally
        {
            slots?.Exit();
        }
    }

    // The audit's path: the query string is dropped, since it may carry secrets.
    private static string RequestPath(HttpRequest request) =>
        request.PathBase.Add(request.Path) is { HasValue: true } path ? path.Value! : "/";

    private void RecordInjections(RequestCredentials credentials)
    {
        for (int i = 0; i < credentials.Injected; i++)
        {
            _metrics.RecordInjection(InjectionSource.ServiceAuth);
        }

        for (int i = 0; i < credentials.Substituted; i++)
        {
            _metrics.RecordInjection(InjectionSource.Placeholder);
        }
    }

    private async Task RefuseCredentialsAsync(HttpContext context, EgressVerdict verdict, RequestCredentials credentials)
    {
        InterceptionPlan plan = verdict.Plan.Interception!;
        string sandbox = verdict.Sandbox.Name;
        if (credentials.Outcome == InjectionOutcome.PlaceholderLeak)
        {
            Log.PlaceholderLeak(_logger, sandbox, credentials.Subject!, plan.Authority);
            EgressVerdict leak = _decider.RefuseRequest(in verdict, EgressReason.PlaceholderLeak, StatusCodes.Status403Forbidden, EgressReason.PlaceholderLeak, ErrorKind.PlaceholderLeak);
            await RefuseAsync(context, leak, blocked: true,
                $"Blocked by the egress gateway: the placeholder of {credentials.Subject} may only be sent to the hosts its credential is bound to, not {plan.Host}. This was logged as a suspected leak.\n").ConfigureAwait(false);
            return;
        }

        EgressVerdict unavailable = _decider.RefuseRequest(in verdict, EgressReason.CredentialUnavailable, StatusCodes.Status502BadGateway, ruleId: null, error: null);
        if (credentials.Outcome == InjectionOutcome.CredentialFailed)
        {
            Log.CredentialFailed(_logger, sandbox, credentials.Subject!, plan.Authority);
            await RefuseAsync(context, unavailable, blocked: false,
                $"The egress gateway could not get credential \"{credentials.Subject}\": {credentials.Looked}; the request to {plan.Host} was not sent.\n").ConfigureAwait(false);
            return;
        }

        Log.MissingCredential(_logger, sandbox, credentials.Subject!, plan.Authority);
        await RefuseAsync(context, unavailable, blocked: false,
            $"The egress gateway has no value for credential \"{credentials.Subject}\" (looked in {credentials.Looked}); the request to {plan.Host} was not sent. Set it on the gateway host.\n").ConfigureAwait(false);
    }

    private async Task RefuseAsync(HttpContext context, EgressVerdict verdict, bool blocked, string body)
    {
        context.Response.StatusCode = verdict.Status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        if (blocked)
        {
            context.Response.Headers["X-Gateway-Decision"] = "blocked";
        }

        // On the record before the body: a client that resets mid-answer is still audited.
        await _recorder.RecordAsync(in verdict, EgressOutcome.Refused(verdict.Status) with { Method = context.Request.Method, Path = RequestPath(context.Request) }).ConfigureAwait(false);
        Log.Refused(_logger, verdict.Sandbox.Name, context.Request.Method, verdict.Plan.Interception!.Authority, verdict.Status, verdict.RuleId);
        await context.Response.WriteAsync(body).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(2300, LogLevel.Debug, "{Sandbox} {Method} https://{Authority} intercepted {Protocol} status={Status} injected={Injected}")]
        public static partial void Forwarded(ILogger logger, string sandbox, string method, string authority, string protocol, int status, string injected);

        [LoggerMessage(2301, LogLevel.Debug, "{Sandbox} {Method} https://{Authority} refused status={Status} rule={Rule}")]
        public static partial void Refused(ILogger logger, string sandbox, string method, string authority, int status, string rule);

        [LoggerMessage(2302, LogLevel.Warning, "{Sandbox}: suspected credential leak: the placeholder of {Variable} was sent to {Authority}, which it is not bound to; refused")]
        public static partial void PlaceholderLeak(ILogger logger, string sandbox, string variable, string authority);

        [LoggerMessage(2303, LogLevel.Warning, "{Sandbox}: no value for credential {Source} on this host; request to {Authority} not sent")]
        public static partial void MissingCredential(ILogger logger, string sandbox, string source, string authority);

        [LoggerMessage(2304, LogLevel.Warning, "{Sandbox}: credential {Source} could not be fetched (see the broker's warning); request to {Authority} not sent")]
        public static partial void CredentialFailed(ILogger logger, string sandbox, string source, string authority);
    }
}
