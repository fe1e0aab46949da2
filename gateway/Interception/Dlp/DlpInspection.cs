using Gateway.Credentials;
using Gateway.Interception.Forwarding;
using Gateway.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Gateway.Interception.Dlp;

/// <summary>
/// Outgoing DLP on an intercepted request, called from one place in <see cref="InterceptedRequestHandler"/>:
/// the request target and every header name and value are scanned at once; the body is wrapped in a
/// <see cref="DlpRequestBody"/> and, when its length is declared, its first
/// <see cref="DlpBodyLimits.Prefetch"/> bytes are read and scanned before anything is forwarded. (A body of
/// unknown length is streamed from the start: holding it back would stall clients that wait for a response
/// before sending more, as bidirectional HTTP/2 streams do.) What is searched: <see cref="HeldSecrets"/>
/// (every credential value the broker fetched, and its encodings), other sandboxes' placeholders, and the
/// shapes of <see cref="DlpShapes"/>. A hit is counted in <c>gateway_dlp_hits_total{pattern}</c> and logged
/// with the pattern's name, never the match.
/// </summary>
internal sealed partial class DlpInspection(CredentialBroker broker, Placeholders placeholders, GatewayMetrics metrics, ILogger<DlpInspection> logger)
{
    /// <summary>
    /// Scans the head of <paramref name="context"/>'s request and, when it may have a body, installs the scanning
    /// body (returned, for the caller to dispose) and prefetches it. The pattern is the first hit, or None.
    /// </summary>
    public async ValueTask<(DlpPattern Pattern, DlpRequestBody? Body)> InspectAsync(HttpContext context, string rawTarget, InterceptionSession session)
    {
        DlpNeedles needles = broker.Held.Needles;
        var dlpContext = new DlpContext(placeholders, session.Sandbox);
        DlpPattern pattern = ScanHead(context.Request, rawTarget, needles, dlpContext);
        if (pattern == DlpPattern.None
            && context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade
            && context.Request.Headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase))
        {
            // No permessage-deflate: text frames must reach the scanner as text (RFC 7692 would compress them).
            context.Request.Headers.Remove(HeaderNames.SecWebSocketExtensions);
            context.Features.Set<IHttpUpgradeFeature>(new DlpUpgradeFeature(upgrade, needles, dlpContext, block: !session.Plan.DlpReports));
        }

        if (pattern != DlpPattern.None || context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
        {
            return (pattern, null);
        }

        var body = new DlpRequestBody(context.Request.Body, context.Request.Headers.ContentEncoding, needles, dlpContext, block: !session.Plan.DlpReports);
        context.Request.Body = body;
        if (context.Request.ContentLength is > 0)
        {
            pattern = await body.PrefetchAsync(context.RequestAborted).ConfigureAwait(false);
        }

        return (pattern, body);
    }

    /// <summary>A hit found while the request was being forwarded: in its body past the prefetch, or in a WebSocket text message.</summary>
    public static DlpPattern LateHit(HttpContext context, DlpRequestBody? body) =>
        body is { Hit: not DlpPattern.None and var hit } ? hit
            : context.Features.Get<IHttpUpgradeFeature>() is DlpUpgradeFeature { Stream.Hit: var upgraded } ? upgraded
            : DlpPattern.None;

    /// <summary>Counts and logs a hit (once per request).</summary>
    public void Observe(InterceptionSession session, DlpPattern pattern)
    {
        metrics.RecordDlpHit(pattern);
        Log.Hit(logger, session.Sandbox, DlpPatterns.Name(pattern), session.Plan.Authority, session.Plan.DlpReports ? "reported (network.dlp: report)" : "refused");
    }

    /// <summary>The body of the 403 a refused request gets: what was found, by name, and what to do.</summary>
    public static string RefusalBody(DlpPattern pattern, string host) =>
        $"Blocked by the egress gateway: outgoing DLP found {DlpPatterns.Name(pattern)} in this request to {host}; it was not sent. Secrets and credentials may not leave the sandbox (network.dlp).\n";

    /// <summary>The first secret in the request target or a header; None when there is none.</summary>
    public static DlpPattern ScanHead(HttpRequest request, string rawTarget, DlpNeedles needles, in DlpContext context)
    {
        DlpPattern pattern = DlpScan.Text(needles, rawTarget, identityHeader: false, context);
        if (pattern != DlpPattern.None)
        {
            return pattern;
        }

        foreach (KeyValuePair<string, StringValues> header in request.Headers)
        {
            pattern = DlpScan.Text(needles, header.Key, identityHeader: false, context);
            bool identity = string.Equals(header.Key, HeaderNames.Authorization, StringComparison.OrdinalIgnoreCase)
                || string.Equals(header.Key, HeaderNames.Cookie, StringComparison.OrdinalIgnoreCase);
            for (int i = 0; i < header.Value.Count && pattern == DlpPattern.None; i++)
            {
                if (header.Value[i] is { } value)
                {
                    pattern = DlpScan.Text(needles, value, identity, context);
                }
            }

            if (pattern != DlpPattern.None)
            {
                return pattern;
            }
        }

        return DlpPattern.None;
    }

    private static partial class Log
    {
        [LoggerMessage(2320, LogLevel.Warning, "{Sandbox}: outgoing DLP found {Pattern} in a request to {Authority}; {Outcome}")]
        public static partial void Hit(ILogger logger, string sandbox, string pattern, string authority, string outcome);
    }
}
