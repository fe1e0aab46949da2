using System.Diagnostics;
using System.Net;
using Gateway.Audit;
using Gateway.Configuration;
using Gateway.Credentials;
using Gateway.Dialing;
using Gateway.Interception.Dlp;
using Gateway.Metrics;
using Gateway.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using PolicyCompiler.Hosts;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Interception;

/// <summary>
/// Serves every request of a terminated connection: the request must be well formed (no CONNECT,
/// no HTTP/2 field that RFC 9113 forbids; see <see cref="RequestFields"/>, else 400), name the decided host
/// (invariant 4, else 421), pass the host's L7 rules (else 403; under report mode it goes on,
/// audited as <c>wouldBlock</c>), and get its credentials (a
/// missing one is a 502 and nothing is sent; a placeholder toward the wrong host is refused and
/// audited). Then YARP forwards it over TLS to the decided name, HTTP/2 staying HTTP/2 when the
/// upstream offers it, with WebSocket upgrades and streamed bodies passing through.
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
    private readonly InterceptionRecorder _recorder;
    private readonly PolicyEnforcement _enforcement;
    private readonly DlpInspection _dlp;
    private readonly ILogger<InterceptedRequestHandler> _logger;
    private readonly ForwarderRequestConfig _http11;
    private readonly ForwarderRequestConfig _http2;

    public InterceptedRequestHandler(
        IHttpForwarder forwarder, Dialer dialer, UpstreamHttpClient client, Placeholders placeholders, CredentialBroker broker, SigV4Resigner resigner, GatewayConfig config, GatewayMetrics metrics, InterceptionRecorder recorder, PolicyEnforcement enforcement, DlpInspection dlp, ILogger<InterceptedRequestHandler> logger)
    {
        _dlp = dlp;
        _enforcement = enforcement;
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

        if (RequestFields.Malformed(context) is { } malformed)
        {
            _metrics.RecordError(ErrorKind.MalformedRequest);
            await RefuseAsync(context, session, StatusCodes.Status400BadRequest, "malformed-request", blocked: false, started,
                $"Refused: {malformed}; the request to {plan.Host} was not sent.\n").ConfigureAwait(false);
            return;
        }

        if (!AuthorityAgrees(context.Request.Host, plan))
        {
            _metrics.RecordError(ErrorKind.MalformedRequest);
            await RefuseAsync(context, session, StatusCodes.Status421MisdirectedRequest, "authority", blocked: false, started,
                $"This connection was decided for {plan.Authority}; every request on it must name that host (Host / :authority), not \"{context.Request.Host}\".\n").ConfigureAwait(false);
            return;
        }

        string rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        string ruleSource = session.Decision.Source;
        string ruleId = session.Decision.RuleId;
        bool l7WouldBlock = false;
        if (plan.Rules.Count > 0)
        {
            if (RequestPath.TryNormalize(rawTarget, out string? problem) is not { } path)
            {
                _metrics.RecordError(ErrorKind.MalformedRequest);
                await RefuseAsync(context, session, StatusCodes.Status400BadRequest, "invalid-path", blocked: false, started,
                    $"Refused: {problem}; L7 rules apply to {plan.Host}, so the path must be unambiguous.\n").ConfigureAwait(false);
                return;
            }

            bool ruleAllows = HttpRuleMatcher.Decide(plan.Rules, RequestMethods.Of(context.Request), path, out HttpRuleEntry? rule, out string method);
            if (!ruleAllows && !_enforcement.Reports)
            {
                context.Response.Headers["X-Gateway-Rule"] = rule?.Id ?? "no-match";
                string why = rule is null
                    ? $"no network.rules entry of this sandbox's kits allows {method} {path} on {plan.Host}"
                    : $"{method} {path} on {plan.Host} is denied by {rule.Id}";
                await RefuseAsync(context, session, StatusCodes.Status403Forbidden, rule?.Id ?? "no-match", blocked: true, started, $"Blocked by the egress gateway: {why}.\n",
                    rule?.Source ?? ruleSource).ConfigureAwait(false);
                return;
            }

            // Report mode: a connection the policy denied keeps naming that rule (it would never have
            // been opened); otherwise the L7 rule that decided, or that would have refused.
            if (session.Decision.IsAllowed)
            {
                ruleSource = rule?.Source ?? ruleSource;
                ruleId = rule?.Id ?? "no-match";
                l7WouldBlock = !ruleAllows;
                if (l7WouldBlock)
                {
                    _metrics.RecordWouldBlock(session.Proxy == AuditEvent.TransparentProxy ? ProxyKind.Transparent : ProxyKind.Forward);
                }
            }
        }

        // Outgoing DLP (DESIGN.md "Exfiltration controls"): a hit is refused with reason dlp:<pattern> before
        // anything is sent, or under network.dlp: report goes on and is audited as wouldBlock with that reason.
        (DlpPattern dlpHit, DlpRequestBody? dlpBody) = await _dlp.InspectAsync(context, rawTarget, session).ConfigureAwait(false);
        using DlpRequestBody? scannedBody = dlpBody;
        if (dlpHit != DlpPattern.None)
        {
            _dlp.Observe(session, dlpHit);
            if (!plan.DlpReports)
            {
                await RefuseAsync(context, session, StatusCodes.Status403Forbidden, DlpPatterns.Reason(dlpHit), blocked: true, started,
                    DlpInspection.RefusalBody(dlpHit, plan.Host), ruleSource).ConfigureAwait(false);
                return;
            }
        }

        RequestCredentials credentials = await RequestCredentials.PrepareAsync(
            context.Request, rawTarget, plan, session.Sandbox, _placeholders, _broker, context.RequestAborted).ConfigureAwait(false);
        if (credentials.Outcome != InjectionOutcome.Ready
            || !credentials.CheckAwsPlaceholders(context.Request, rawTarget, plan, session.Sandbox, _placeholders))
        {
            await RefuseCredentialsAsync(context, session, credentials, started).ConfigureAwait(false);
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
                await DlpLateHitAsync(context, session, hit.Hit, started).ConfigureAwait(false);
                return;
            }
            if (credentials.Signing.Refusal is { } refusal)
            {
                if (credentials.Signing.Status != StatusCodes.Status502BadGateway)
                {
                    _metrics.RecordError(ErrorKind.MalformedRequest); // a form the gateway cannot re-sign, not a gateway fault
                }

                await RefuseAsync(context, session, credentials.Signing.Status, session.Decision.RuleId, blocked: false, started, refusal).ConfigureAwait(false);
                return;
            }
        }

        using SigV4Signing? signing = credentials.Signing;
        RelayedBytes bytes = RelayedBytes.Attach(context);
        var transformer = new CredentialInjector(credentials, session.Permissions, session.KitProxy) { Bytes = bytes };
        ForwarderRequestConfig requestConfig = HttpProtocol.IsHttp2(context.Request.Protocol) ? _http2 : _http11;
        ForwarderError error = await _forwarder.SendAsync(context, "https://" + plan.Authority, _client.For(session.KitProxy), requestConfig, transformer).ConfigureAwait(false);
        EgressError dialError = transformer.Outcome.Error;

        // Decided before an error answer below starts the response: that answer is the gateway's, not the upstream's.
        bool sent = CredentialDelivery.MayHaveLeft(error, context, transformer.Outcome);
        DlpPattern lateHit = dlpHit == DlpPattern.None ? DlpInspection.LateHit(context, dlpBody) : DlpPattern.None;
        if (lateHit != DlpPattern.None && await DlpLateHitAsync(context, session, lateHit, started).ConfigureAwait(false))
        {
            return;
        }

        dlpHit = dlpHit != DlpPattern.None ? dlpHit : lateHit;
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
        bool guarded = dialError == EgressError.RefusedAddress;

        // A pooled connection was not dialled for this request: its pool's route says how it left.
        bool viaSocks5 = transformer.Outcome.Dialled
            ? transformer.Outcome.Socks5Proxy is not null
            : _dialer.RoutesThroughSocks5(plan.Host, session.Permissions, session.KitProxy);
        await _recorder.RecordAsync(
            session,
            guarded ? EgressErrors.GuardRuleId : ruleSource,
            guarded ? EgressErrors.GuardRuleId : dlpHit != DlpPattern.None ? DlpPatterns.Reason(dlpHit) : ruleId,
            allowed: !guarded,
            context.Response.StatusCode,
            bytes.In,
            bytes.Out,
            injected,
            started,
            viaSocks5,
            l7WouldBlock || dlpHit != DlpPattern.None).ConfigureAwait(false);
    }

    // A secret found past the prefetched part of the body: in block mode the read failed, so the forwarder aborted
    // the upstream request before its body was complete; the client gets the 403 when no response has started.
    private async ValueTask<bool> DlpLateHitAsync(HttpContext context, InterceptionSession session, DlpPattern hit, long started)
    {
        _dlp.Observe(session, hit);
        if (session.Plan.DlpReports)
        {
            return false;
        }

        if (!context.Response.HasStarted)
        {
            context.Response.Clear();
            await RefuseAsync(context, session, StatusCodes.Status403Forbidden, DlpPatterns.Reason(hit), blocked: true, started,
                DlpInspection.RefusalBody(hit, session.Plan.Host), session.Decision.Source).ConfigureAwait(false);
        }
        else
        {
            context.Abort();
            await _recorder.RecordAsync(session, session.Decision.Source, DlpPatterns.Reason(hit), allowed: false, context.Response.StatusCode, 0, 0, null, started).ConfigureAwait(false);
        }

        return true;
    }

    // RFC 9110 §7.4: a request for another origin on this connection is misdirected. A missing
    // port means the scheme's default (443); the name compares after canonicalisation.
    private static bool AuthorityAgrees(HostString header, InterceptionPlan plan)
    {
        if (!header.HasValue || (header.Port ?? 443) != plan.Port)
        {
            return false;
        }

        string host = header.Host;
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        return string.Equals(HostCanonicalizer.Canonicalize(host, out _, out _), plan.Host, StringComparison.Ordinal);
    }

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

    private async Task RefuseCredentialsAsync(HttpContext context, InterceptionSession session, RequestCredentials credentials, long started)
    {
        InterceptionPlan plan = session.Plan;
        if (credentials.Outcome == InjectionOutcome.PlaceholderLeak)
        {
            _metrics.RecordError(ErrorKind.PlaceholderLeak);
            Log.PlaceholderLeak(_logger, session.Sandbox, credentials.Subject!, plan.Authority);
            await RefuseAsync(context, session, StatusCodes.Status403Forbidden, Listeners.DecisionRecorder.PlaceholderLeakRuleId, blocked: true, started,
                $"Blocked by the egress gateway: the placeholder of {credentials.Subject} may only be sent to the hosts its credential is bound to, not {plan.Host}. This was logged as a suspected leak.\n").ConfigureAwait(false);
            return;
        }

        if (credentials.Outcome == InjectionOutcome.CredentialFailed)
        {
            Log.CredentialFailed(_logger, session.Sandbox, credentials.Subject!, plan.Authority);
            await RefuseAsync(context, session, StatusCodes.Status502BadGateway, session.Decision.RuleId, blocked: false, started,
                $"The egress gateway could not get credential \"{credentials.Subject}\": {credentials.Looked}; the request to {plan.Host} was not sent.\n").ConfigureAwait(false);
            return;
        }

        Log.MissingCredential(_logger, session.Sandbox, credentials.Subject!, plan.Authority);
        await RefuseAsync(context, session, StatusCodes.Status502BadGateway, session.Decision.RuleId, blocked: false, started,
            $"The egress gateway has no value for credential \"{credentials.Subject}\" (looked in {credentials.Looked}); the request to {plan.Host} was not sent. Set it on the gateway host.\n").ConfigureAwait(false);
    }

    private async Task RefuseAsync(HttpContext context, InterceptionSession session, int status, string ruleId, bool blocked, long started, string body, string? ruleSource = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        if (blocked)
        {
            context.Response.Headers["X-Gateway-Decision"] = "blocked";
        }

        await context.Response.WriteAsync(body).ConfigureAwait(false);
        Log.Refused(_logger, session.Sandbox, context.Request.Method, session.Plan.Authority, status, ruleId);
        await _recorder.RecordAsync(session, ruleSource ?? (blocked ? ruleId : session.Decision.Source), ruleId, allowed: !blocked, status, 0, 0, null, started).ConfigureAwait(false);
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
