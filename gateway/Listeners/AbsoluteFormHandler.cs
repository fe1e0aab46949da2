using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Gateway.Audit;
using Gateway.Configuration;
using Gateway.Dialing;
using Gateway.Hosting;
using Gateway.Interception;
using Gateway.Metrics;
using Gateway.Policy;
using Gateway.Sandboxes;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using PolicyCompiler.Compilation;
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

    private readonly LivePolicy _policy;
    private readonly SandboxRegistry _sandboxes;
    private readonly Dialer _dialer;
    private readonly HttpDialConnector _connector;
    private readonly IHttpForwarder _forwarder;
    private readonly HttpMessageInvoker _client;

    // One connection pool per kit proxy: a pooled connection must never carry one sandbox's
    // request out through another kit's SOCKS5 proxy (or a proxied one out directly).
    private readonly ConcurrentDictionary<KitProxy, HttpMessageInvoker> _kitClients = new();
    private readonly TimeSpan _connectTimeout;
    private readonly ForwarderRequestConfig _requestConfig;
    private readonly ILogger<AbsoluteFormHandler> _logger;
    private readonly GatewayMetrics _metrics;
    private readonly DecisionRecorder _recorder;
    private readonly Placeholders _placeholders;
    private readonly PolicyEnforcement _enforcement;
    private readonly int _dialHttpPort;
    private readonly BudgetGate _budgets;

    public AbsoluteFormHandler(
        LivePolicy policy, SandboxRegistry sandboxes, Dialer dialer, IHttpForwarder forwarder, GatewayConfig config, GatewayMetrics metrics, DecisionRecorder recorder, Placeholders placeholders, PolicyEnforcement enforcement, BudgetGate budgets, ILogger<AbsoluteFormHandler> logger)
    {
        _budgets = budgets;
        _enforcement = enforcement;
        _placeholders = placeholders;
        _recorder = recorder;
        _dialHttpPort = config.Transparent.DialHttpPort;
        _logger = logger;
        _metrics = metrics;
        _policy = policy;
        _sandboxes = sandboxes;
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
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        bool transparent = IsTransparent(context);
        string? problem = transparent
            ? TransparentTarget(context, out string host, out int port)
            : ForwardTarget(context, out host, out port);
        if (problem is not null)
        {
            _metrics.RecordError(ErrorKind.MalformedRequest);
            await WriteAsync(context, StatusCodes.Status400BadRequest, problem, blocked: false).ConfigureAwait(false);
            return;
        }

        string proxy = transparent ? AuditEvent.TransparentProxy : AuditEvent.ForwardProxy;
        Sandbox? sandbox = _sandboxes.Identify(context.Connection.RemoteIpAddress);
        if (sandbox is null)
        {
            _metrics.RecordError(ErrorKind.UnknownSandbox);
            await WriteAsync(context, StatusCodes.Status403Forbidden, "This address belongs to no registered sandbox.\n", blocked: true).ConfigureAwait(false);
            return;
        }

        // A token proves identity to the forward proxy; on the transparent path nftables'
        // per-interface anti-spoofing does, and a redirected client cannot know to send one.
        if (!transparent
            && sandbox.HasToken
            && !sandbox.Authorizes(System.Text.Encoding.ASCII.GetBytes(context.Request.Headers.ProxyAuthorization.ToString())))
        {
            context.Response.Headers.ProxyAuthenticate = "Basic realm=\"egress-gateway\"";
            await WriteAsync(context, StatusCodes.Status407ProxyAuthenticationRequired, "This sandbox must authenticate: Proxy-Authorization required\n", blocked: false).ConfigureAwait(false);
            return;
        }

        PolicySnapshot snapshot = _policy.Current;
        long decideStarted = System.Diagnostics.Stopwatch.GetTimestamp();
        Decision decision = snapshot.Decide(host.AsSpan(), port, SandboxRegistry.KitsOf(sandbox, snapshot));
        long decideTicks = System.Diagnostics.Stopwatch.GetTimestamp() - decideStarted;
        if (decision.Reason == DecisionReason.InvalidHost)
        {
            _metrics.RecordError(ErrorKind.MalformedRequest);
            await WriteAsync(context, StatusCodes.Status400BadRequest, $"Host \"{host}\": {HostErrorMessages.Describe(decision.HostError)}.\n", blocked: false).ConfigureAwait(false);
            return;
        }

        bool wouldBlock = _enforcement.WouldBlock(in decision);
        _metrics.RecordDecision(decision.IsAllowed || wouldBlock, transparent ? ProxyKind.Transparent : ProxyKind.Forward, decideTicks, wouldBlock);
        string canonical = HostCanonicalizer.Canonicalize(host, out _, out _)!;
        if (await _budgets.RefuseRequestAsync(context, sandbox, canonical, port, proxy, started).ConfigureAwait(false))
        {
            return;
        }

        if (!decision.IsAllowed && !wouldBlock)
        {
            Log.Decided(_logger, sandbox.Name, context.Request.Method, canonical, port, "blocked", decision.RuleId, StatusCodes.Status403Forbidden);
            await _recorder.RecordAsync(sandbox.Name, canonical, port, proxy, decision, EgressError.None, StatusCodes.Status403Forbidden, 0, 0, started).ConfigureAwait(false);
            await WriteAsync(context, StatusCodes.Status403Forbidden, BlockedMessage.For(decision, canonical, port, sandbox.Name), blocked: true).ConfigureAwait(false);
            return;
        }

        string rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        if (PlaceholderLeaks.Find(context.Request, rawTarget, sandbox.Name, _placeholders) is { } variable)
        {
            _metrics.RecordError(ErrorKind.PlaceholderLeak);
            Log.PlaceholderLeak(_logger, sandbox.Name, variable, canonical, port);
            await _recorder.RecordPlaceholderLeakAsync(sandbox.Name, canonical, port, proxy, started).ConfigureAwait(false);
            await WriteAsync(context, StatusCodes.Status403Forbidden,
                $"Blocked by the egress gateway: the placeholder of {variable} is never sent over plain HTTP, nor to {canonical}. This was logged as a suspected leak.\n", blocked: true).ConfigureAwait(false);
            return;
        }

        DialPermissions permissions = DialPermissions.FromDecision(decision);
        KitProxy? kitProxy = snapshot.ProxyFor(sandbox.Kits);
        HttpMessageInvoker client = kitProxy is null ? _client : _kitClients.GetOrAdd(kitProxy, static (_, self) => self.CreateClient(), this);
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

        Log.Decided(_logger, sandbox.Name, context.Request.Method, canonical, port, "allowed", decision.RuleId, context.Response.StatusCode);
        EgressError dialError = transformer.Outcome?.Error ?? EgressError.None;
        // A pooled connection was not dialled for this request: its pool's route says how it left.
        bool viaSocks5 = transformer.Outcome is { Dialled: true } dialled
            ? dialled.Socks5Proxy is not null
            : _dialer.RoutesThroughSocks5(canonical, permissions, kitProxy);
        await _recorder.RecordAsync(
            sandbox.Name, canonical, port, proxy, decision, dialError, context.Response.StatusCode,
            bytes.In, bytes.Out, started, viaSocks5).ConfigureAwait(false);
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
        if (!target.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            return HttpMethods.IsConnect(context.Request.Method)
                ? "CONNECT must be the first request on a connection to this proxy.\n"
                : "This is a forward proxy, not a web server: send requests through it, e.g. "
                    + "HTTP_PROXY=http://" + context.Request.Host + " curl http://example.com/\n";
        }

        return TryParseAuthority(target, out host, out port) && HostAgrees(context.Request.Host, host, port)
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
        if (target.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            return TryParseAuthority(target, out host, out int targetPort) && HostAgrees(context.Request.Host, host, targetPort)
                ? null
                : "The Host header must name the same host and port as the request target.\n";
        }

        host = context.Request.Host.Host;
        return string.IsNullOrEmpty(host) ? "A Host header is required.\n" : null;
    }

    internal static bool TryParseAuthority(string target, out string host, out int port)
    {
        ReadOnlySpan<char> rest = target.AsSpan("http://".Length);
        int end = rest.IndexOfAny('/', '?', '#');
        ReadOnlySpan<char> authority = end < 0 ? rest : rest[..end];
        host = string.Empty;
        port = 80;
        if (authority.IsEmpty || authority.Contains('@'))
        {
            return false; // userinfo in a proxy request is a credential leak or a confusion attack
        }

        int colon = authority[0] == '[' ? authority.IndexOf("]:", StringComparison.Ordinal) + 1 : authority.LastIndexOf(':');
        if (colon > 0 && (authority[0] != '[' || authority[colon - 1] == ']'))
        {
            if (!int.TryParse(authority[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            {
                return false;
            }

            authority = authority[..colon];
        }

        host = authority.ToString();
        return true;
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
