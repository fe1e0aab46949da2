using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Net;
using System.Net.Sockets;
using Gateway.Approvals;
using Gateway.Configuration;
using Gateway.Decisions;
using Gateway.Dialing;
using Gateway.Interception.Forwarding;
using Gateway.Metrics;
using Gateway.Protocols;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using PolicyCompiler.Hosts;
using PolicyCompiler.Kits;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Listeners;

/// <summary>
/// Plain-HTTP proxying on the forward port (`GET http://host/path`): Kestrel parses, this
/// decides every request on its own (one client connection may carry many hosts), and YARP
/// forwards over a handler whose connections come from the <see cref="Dialer"/>.
/// </summary>
internal sealed partial class AbsoluteFormHandler : IDisposable
{
    private readonly EgressDecider _decider;
    private readonly Dialer _dialer;
    private readonly HttpDialConnector _connector;
    private readonly IHttpForwarder _forwarder;
    private readonly HttpMessageInvoker _client;

    // One connection pool per route and dial permissions (UpstreamPoolKey): a pooled connection
    // must never carry one sandbox's request out through another kit's SOCKS5 proxy (or a proxied
    // one out directly), nor to an address only another decision opened.
    private readonly ConcurrentDictionary<UpstreamPoolKey, HttpMessageInvoker> _kitClients = new();
    private readonly TimeSpan _connectTimeout;
    private readonly ForwarderRequestConfig _requestConfig;
    private readonly ILogger<AbsoluteFormHandler> _logger;
    private readonly EgressRecorder _recorder;
    private readonly Placeholders _placeholders;
    private readonly int _dialHttpPort;
    private readonly BudgetGate _budgets;
    private readonly AskMode _ask;

    public AbsoluteFormHandler(
        EgressDecider decider, Dialer dialer, IHttpForwarder forwarder, GatewayConfig config, GatewayMetrics metrics, EgressRecorder recorder, Placeholders placeholders, BudgetGate budgets, AskMode ask, ILogger<AbsoluteFormHandler> logger)
    {
        _decider = decider;
        _ask = ask;
        _budgets = budgets;
        _placeholders = placeholders;
        _recorder = recorder;
        _dialHttpPort = config.Transparent.DialHttpPort;
        _logger = logger;
        _dialer = dialer;
        _connector = new HttpDialConnector(dialer, metrics);
        _forwarder = forwarder;
        // Plain HTTP upstream: HTTP/1.1 (no h2c guessing).
        _requestConfig = new ForwarderRequestConfig
        {
            ActivityTimeout = config.Limits.IdleTimeout,
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        _connectTimeout = config.Limits.ConnectTimeout;
        _client = CreateClient();
    }

    public void Dispose()
    {
        _client.Dispose();
        foreach (HttpMessageInvoker client in _kitClients.Values)
        {
            client.Dispose();
        }
    }

    private HttpMessageInvoker CreateClient() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false, // redirects go back to the client, which asks again and is decided again
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ActivityHeadersPropagator = null,
        ConnectTimeout = _connectTimeout,
        ConnectCallback = _connector.ConnectAsync,
    });

    public async Task HandleAsync(HttpContext context)
    {
        bool transparent = IsTransparent(context);
        string? problem = transparent
            ? TransparentTarget(context, out string host, out int port)
            : ForwardTarget(context, out host, out port);
        string proxyAuthorization = transparent ? string.Empty : context.Request.Headers.ProxyAuthorization.ToString();
        EgressRequest request = Request(context, transparent, host, port, proxyAuthorization);
        if (problem is not null)
        {
            EgressVerdict malformed = _decider.Refuse(in request, EgressReason.Malformed, StatusCodes.Status400BadRequest, ErrorKind.MalformedRequest);
            await _recorder.RecordAsync(in malformed, EgressOutcome.Refused(malformed.Status)).ConfigureAwait(false);
            await WriteAsync(context, StatusCodes.Status400BadRequest, problem, blocked: false).ConfigureAwait(false);
            return;
        }

        EgressVerdict verdict = _decider.Decide(in request);
        bool charged = false;
        if (_ask.ShouldHold(in verdict))
        {
            // Charged before the wait, once: a sandbox cannot outrun its request budget by making requests wait.
            if (await _budgets.RefuseRequestAsync(context, verdict).ConfigureAwait(false))
            {
                _ask.CountUnapproved(in verdict);
                return;
            }

            charged = true;
            // Ask mode: the request waits, unanswered, for an operator (or holdFor).
            ApprovalWait wait = await _ask.WaitAsync(verdict, context.RequestAborted).ConfigureAwait(false);
            if (wait.Outcome != ApprovalOutcome.Approved)
            {
                verdict = AskMode.Conclude(in verdict, in wait);
                Log.Decided(_logger, verdict.Sandbox.Name, context.Request.Method, verdict.Host, port, "blocked", verdict.Reason, verdict.Status);
                await _recorder.RecordAsync(in verdict, EgressOutcome.Refused(verdict.Status)).ConfigureAwait(false);
                if (wait.Outcome != ApprovalOutcome.ClientGone)
                {
                    await WriteAsync(context, StatusCodes.Status403Forbidden, _ask.RefusalBody(in verdict, in wait), blocked: true).ConfigureAwait(false);
                }

                return;
            }

            verdict = AskMode.AsApproved(Redecide(context, transparent, host, port, proxyAuthorization), in verdict);
        }

        if (!verdict.LetsThrough)
        {
            // A request the policy decided counts against the sandbox's request budget, refused or not;
            // one refused before any rule (unknown source, token, malformed host) does not.
            if (!charged && verdict.DecidedByPolicy && await _budgets.RefuseRequestAsync(context, verdict).ConfigureAwait(false))
            {
                return;
            }

            Log.Decided(_logger, verdict.Sandbox.Name, context.Request.Method, verdict.Host, port, "blocked", verdict.RuleId, verdict.Status);
            await _recorder.RecordAsync(in verdict, EgressOutcome.Refused(verdict.Status)).ConfigureAwait(false);
            await WriteRefusalAsync(context, verdict).ConfigureAwait(false);
            return;
        }

        if (!charged && await _budgets.RefuseRequestAsync(context, verdict).ConfigureAwait(false))
        {
            return;
        }

        string canonical = verdict.Host;
        string rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        if (PlaceholderLeaks.Find(context.Request, rawTarget, verdict.Sandbox.Name, _placeholders) is { } variable)
        {
            Log.PlaceholderLeak(_logger, verdict.Sandbox.Name, variable, canonical, port);
            EgressVerdict leak = _decider.RefuseRequest(in verdict, EgressReason.PlaceholderLeak, StatusCodes.Status403Forbidden, EgressReason.PlaceholderLeak, ErrorKind.PlaceholderLeak);
            await _recorder.RecordAsync(in leak, EgressOutcome.Refused(leak.Status)).ConfigureAwait(false);
            await WriteAsync(context, StatusCodes.Status403Forbidden,
                $"Blocked by the egress gateway: the placeholder of {variable} is never sent over plain HTTP, nor to {canonical}. This was logged as a suspected leak.\n", blocked: true).ConfigureAwait(false);
            return;
        }

        DialPermissions permissions = verdict.Permissions;
        KitProxy? kitProxy = verdict.Plan.KitProxy;
        var poolKey = UpstreamPoolKey.For(kitProxy, permissions);
        HttpMessageInvoker client = poolKey.IsDefault ? _client : _kitClients.GetOrAdd(poolKey, static (_, self) => self.CreateClient(), this);
        RelayedBytes bytes = RelayedBytes.Attach(context);
        var transformer = new ProxyRequestTransformer(permissions, kitProxy, bytes);
        string authority = canonical.Contains(':', StringComparison.Ordinal) ? $"[{canonical}]:{port}" : $"{canonical}:{port}";
        ForwarderError error = await _forwarder.SendAsync(context, "http://" + authority, client, _requestConfig, transformer).ConfigureAwait(false);
        if (error != ForwarderError.None && !context.Response.HasStarted && transformer.Outcome is { } outcome && outcome.Error != EgressError.None)
        {
            // The dial failed for a reason the client should see precisely (403 guard, 504 timeout, …), not YARP's generic 502.
            string body = outcome.Error == EgressError.RefusedAddress
                ? BlockedMessage.ForGuard(canonical, port, EgressErrors.Reason(outcome.Error))
                : $"{canonical}:{port}: {EgressErrors.Reason(outcome.Error, outcome.Socks5Proxy)}.\n";
            await WriteAsync(context, EgressErrors.StatusCode(outcome.Error), body, blocked: outcome.Error == EgressError.RefusedAddress).ConfigureAwait(false);
        }

        Log.Decided(_logger, verdict.Sandbox.Name, context.Request.Method, canonical, port, "allowed", verdict.RuleId, context.Response.StatusCode);
        EgressError dialError = transformer.Outcome?.Error ?? EgressError.None;
        // A pooled connection was not dialled for this request: its pool's route says how it left.
        bool viaSocks5 = transformer.Outcome is { Dialled: true } dialled
            ? dialled.Socks5Proxy is not null
            : _dialer.RoutesThroughSocks5(canonical, permissions, kitProxy);
        await _recorder.RecordAsync(
            in verdict, new EgressOutcome(context.Response.StatusCode, bytes.In, bytes.Out, dialError, viaSocks5)).ConfigureAwait(false);
        if (error != ForwarderError.None && ClientConnection.IsGone(context))
        {
            context.Abort();
        }
    }

    // The decision again after an approval: the first request lived on the stack and cannot cross the wait.
    private EgressVerdict Redecide(HttpContext context, bool transparent, string host, int port, string proxyAuthorization)
    {
        EgressRequest request = Request(context, transparent, host, port, proxyAuthorization);
        return _decider.Decide(in request);
    }

    private static EgressRequest Request(HttpContext context, bool transparent, string host, int port, string proxyAuthorization) => new()
    {
        Listener = transparent ? ListenerKind.TransparentHttp : ListenerKind.Forward,
        Remote = context.Connection.RemoteIpAddress,
        HostText = host,
        Port = port,

        // A token proves identity to the forward proxy; on the transparent path nftables'
        // per-interface anti-spoofing does, and a redirected client cannot know to send one.
        CheckToken = !transparent,
        ProxyAuthorization = proxyAuthorization.Length == 0 ? default : Encoding.ASCII.GetBytes(proxyAuthorization),
        Started = Stopwatch.GetTimestamp(),
    };

    private static Task WriteRefusalAsync(HttpContext context, EgressVerdict verdict)
    {
        switch (verdict.Reason)
        {
            case EgressReason.ProxyAuth:
                context.Response.Headers.ProxyAuthenticate = "Basic realm=\"egress-gateway\"";
                return WriteAsync(context, StatusCodes.Status407ProxyAuthenticationRequired, "This sandbox must authenticate: Proxy-Authorization required\n", blocked: false);
            case EgressReason.UnknownSandbox:
                return WriteAsync(context, StatusCodes.Status403Forbidden, "This address belongs to no registered sandbox.\n", blocked: true);
            case EgressReason.InvalidHost or EgressReason.Malformed:
                return WriteAsync(context, StatusCodes.Status400BadRequest, $"Host \"{verdict.Host}\": {HostErrorMessages.Describe(verdict.Decision.HostError)}.\n", blocked: false);
            case EgressReason.PolicyError:
                return WriteAsync(context, StatusCodes.Status403Forbidden, BlockedMessage.ForPolicyError(verdict.Host, verdict.Port), blocked: true);
            default:
                return WriteAsync(context, StatusCodes.Status403Forbidden, BlockedMessage.For(verdict.Decision, verdict.Host, verdict.Port, verdict.Sandbox.Name), blocked: true);
        }
    }

    private static bool IsTransparent(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ListenerKind.ItemKey, out object? kind) == true
        && (string?)kind == ListenerKind.TransparentHttp;

    // Forward proxy: absolute-form only, and Host must name the same authority.
    private static string? ForwardTarget(HttpContext context, out string host, out int port)
    {
        string target = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        host = string.Empty;
        port = 0;
        if (!AbsoluteFormAuthority.IsAbsolute(target))
        {
            return HttpMethods.IsConnect(context.Request.Method)
                ? "CONNECT must be the first request on a connection to this proxy.\n"
                : "This is a forward proxy, not a web server: send requests through it, e.g. "
                    + "HTTP_PROXY=http://" + context.Request.Host + " curl http://example.com/\n";
        }

        return AbsoluteFormAuthority.TryParse(target, out host, out port) && HostAgrees(context.Request.Host, host, port)
            ? null
            : "The Host header must name the same host and port as the request target.\n";
    }

    // Transparent: the request never named a proxy, so Host decides (an absolute-form target
    // wins and must agree); the port is the one the client dialled before the redirect.
    private string? TransparentTarget(HttpContext context, out string host, out int port)
    {
        string target = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        port = context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(OriginalDestination.ItemKey, out object? original) == true
            && original is int redirected ? redirected : _dialHttpPort;
        if (AbsoluteFormAuthority.IsAbsolute(target))
        {
            return AbsoluteFormAuthority.TryParse(target, out host, out int targetPort) && HostAgrees(context.Request.Host, host, targetPort)
                ? null
                : "The Host header must name the same host and port as the request target.\n";
        }

        host = context.Request.Host.Host;
        return string.IsNullOrEmpty(host) ? "A Host header is required.\n" : null;
    }

    private static bool HostAgrees(HostString header, string host, int port) =>
        header.HasValue
        && string.Equals(header.Host, host, StringComparison.OrdinalIgnoreCase)
        && (header.Port ?? 80) == port;

    private static Task WriteAsync(HttpContext context, int status, string body, bool blocked)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        if (blocked)
        {
            context.Response.Headers["X-Gateway-Decision"] = "blocked";
        }

        return context.Response.WriteAsync(body);
    }

    /// <summary>Strips what the proxy consumed, hands the decision's permissions to the dial, and counts the response body.</summary>
    private sealed class ProxyRequestTransformer(DialPermissions permissions, KitProxy? kitProxy, RelayedBytes bytes) : HttpTransformer
    {
        public HttpDialOutcome? Outcome { get; private set; }

        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            // Empty, not Default: Default adds forwarding headers that would tell the origin the sandbox's address.
            await Empty.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
            proxyRequest.Headers.Host = null;
            proxyRequest.Headers.Remove("Proxy-Authorization");
            proxyRequest.Headers.Remove("Proxy-Connection");
            Outcome = new HttpDialOutcome();
            HttpDialConnector.Prepare(proxyRequest, permissions, kitProxy, Outcome);
        }

        // The audit's bytesOut is what the upstream's body carried, not its Content-Length (absent when chunked).
        public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
        {
            bool result = await Default.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
            if (result && proxyResponse is not null && proxyResponse.StatusCode != HttpStatusCode.SwitchingProtocols)
            {
                bytes.Count(proxyResponse);
            }

            return result;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2100, LogLevel.Debug, "{Sandbox} {Method} http://{Host}:{Port} {Decision} rule={Rule} status={Status}")]
        public static partial void Decided(ILogger logger, string sandbox, string method, string host, int port, string decision, string rule, int status);

        [LoggerMessage(2101, LogLevel.Warning, "{Sandbox}: suspected credential leak: the placeholder of {Variable} was sent over plain HTTP to {Host}:{Port}; refused")]
        public static partial void PlaceholderLeak(ILogger logger, string sandbox, string variable, string host, int port);
    }
}
