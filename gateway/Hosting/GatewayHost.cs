using System.Net;
using Gateway.Admin;
using Gateway.Approvals;
using Gateway.Audit;
using Gateway.Configuration;
using Gateway.Decisions;
using Gateway.Credentials;
using Gateway.Dialing;
using Gateway.Dns;
using Gateway.Interception.Certificates;
using Gateway.Interception.Forwarding;
using Gateway.Interception.Tls;
using Gateway.Listeners;
using Gateway.Listeners.Transport;
using Gateway.Metrics;
using Gateway.Policy;
using Gateway.Relay;
using Gateway.Sandboxes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ZLogger;

namespace Gateway.Hosting;

/// <summary>
/// Builds and runs the daemon: Kestrel with the forward listener (L4 CONNECT middleware in
/// front of the HTTP stack for absolute-form requests), the metrics listener, the sandbox-facing
/// DNS resolver when <c>listen.dns</c> is set, and the admin API on a unix socket.
/// </summary>
internal static partial class GatewayHost
{
    /// <summary>How long open tunnels may drain after SIGTERM before they are closed.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Builds the daemon for <paramref name="config"/>; null with <paramref name="errors"/> when the policy cannot load.</summary>
    /// <param name="config">The validated configuration.</param>
    /// <param name="errors">Receives every problem that stops start-up.</param>
    /// <param name="logging">Logging set-up; console by default.</param>
    /// <param name="services">Last word on services (tests replace the resolver of the <see cref="Dialer"/>).</param>
    public static WebApplication? Build(
        GatewayConfig config, List<string> errors, Action<ILoggingBuilder>? logging = null, Action<IServiceCollection>? services = null)
    {
        logging ??= ConsoleLogging(json: false);
        // Not disposed until the app stops: LivePolicy keeps this logger for every reload, and a
        // disposed ZLogger provider throws from the reload timer, which ended the process.
        ILoggerFactory bootLoggers = LoggerFactory.Create(logging);
        LivePolicy? policy = LivePolicy.Create(config, bootLoggers.CreateLogger<LivePolicy>(), errors);
        if (policy is null)
        {
            bootLoggers.Dispose();
            return null;
        }

        CertificateAuthority? authority = LoadCertificateAuthority(config, bootLoggers, errors);
        if (authority is null)
        {
            policy.Dispose();
            bootLoggers.Dispose();
            return null;
        }

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "gateway",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        logging(builder.Logging);

        // Type=notify under systemd (READY=1 once every listener is bound); a no-op elsewhere.
        builder.Host.UseSystemd();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = DrainTimeout);
        builder.Services.AddSingleton(config);
        builder.Services.AddSingleton(policy);
        builder.Services.AddSingleton(new PolicyEnforcement(config.Policy.Mode));
        builder.Services.AddSingleton(new SandboxRegistry(config.Sandboxes, config.StateDir));
        builder.Services.AddSingleton(new Dialer(
            config.Resolve, config.Egress, config.Limits.ConnectTimeout, upstream: config.Upstream, credentials: config.Credentials));
        builder.Services.AddSingleton<ConnectionGate>(_ => new ConnectionGate(config.Limits.MaxConnections));
        builder.Services.AddSingleton<TunnelRelay>();
        builder.Services.AddSingleton(TimeProvider.System);
        AddCertificateAuthority(builder.Services, authority);

        // A hosted service registered before Kestrel's: it stops after Kestrel, so every
        // decision of the drained connections is written and fsynced before the process exits.
        builder.Services.AddSingleton(sp => new AuditWriter(config.Audit, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<AuditWriter>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AuditWriter>());
        builder.Services.AddSingleton<IPolicyLookup, SnapshotLookup>();
        builder.Services.AddSingleton<EgressDecider>();
        builder.Services.AddSingleton<EgressRecorder>();
        builder.Services.AddSingleton<SandboxBudgets>();
        builder.Services.AddSingleton<BudgetGate>();
        builder.Services.AddSingleton<ApprovalWebhook>();
        builder.Services.AddSingleton<AskMode>();
        if (config.Listen.Dns is not null)
        {
            // After the audit writer: hosted services stop in reverse, so the resolver stops first.
            builder.Services.AddSingleton<DnsResolver>();
            builder.Services.AddSingleton<DnsServer>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<DnsServer>());
        }

        builder.Services.AddHttpForwarder();
        builder.Services.AddSingleton<Placeholders>();
        builder.Services.AddSingleton(new TokenClient(config));
        builder.Services.AddSingleton<CredentialBroker>();
        builder.Services.AddSingleton(sp => new SigV4Resigner(new SigV4SigningKeys(), sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<UpstreamHttpClient>();
        builder.Services.AddSingleton<TlsTermination>();
        builder.Services.AddSingleton<BlockPage>();
        builder.Services.AddSingleton<Gateway.Interception.Dlp.DlpInspection>();
        builder.Services.AddSingleton<InterceptedRequestHandler>();
        var endPoints = new ListenerEndPoints();
        builder.Services.AddSingleton(endPoints);
        builder.Services.AddSingleton(CreateMetrics);
        builder.Services.AddSingleton<Readiness>();
        services?.Invoke(builder.Services);
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = InlineIo.Enabled);

        // Registered after Kestrel's socket transport, so Kestrel asks it first; it takes only the
        // sandbox-facing endpoints claimed below (metrics and admin stay on Kestrel's transport).
        GatewayTransportFactory? ownTransport = config.Listen.Transport == ListenTransport.Gateway ? new GatewayTransportFactory() : null;
        if (ownTransport is not null)
        {
            builder.Services.AddSingleton<IConnectionListenerFactory>(ownTransport);
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.RequestHeadersTimeout = config.Limits.HeaderTimeout;
            kestrel.Limits.KeepAliveTimeout = config.Limits.IdleTimeout;
            if (config.Listen.Forward is { } forward)
            {
                kestrel.Listen(ownTransport?.Claim(forward) ?? forward, listen =>
                {
                    // Plain connections are HTTP/1.1 (no ALPN, no h2c); a CONNECT tunnel the gateway
                    // terminates speaks what its ALPN chose, so HTTP/2 must be enabled here too.
                    EnableHttp2ForTermination(listen);
                    endPoints.Add(ListenerKind.Forward, listen);
                    listen.Use(CountConnections(listen, ListenerKind.Forward));
                    listen.Use(next => ActivatorUtilities.CreateInstance<ForwardProxyMiddleware>(listen.ApplicationServices, next).OnConnectionAsync);
                });
            }

            if (config.Listen.TransparentHttp is { } transparentHttp)
            {
                kestrel.Listen(ownTransport?.Claim(transparentHttp) ?? transparentHttp, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1;
                    endPoints.Add(ListenerKind.TransparentHttp, listen);
                    listen.Use(CountConnections(listen, ListenerKind.TransparentHttp));
                    listen.Use(next => ActivatorUtilities.CreateInstance<TransparentHttpMiddleware>(listen.ApplicationServices, next).OnConnectionAsync);
                });
            }

            if (config.Listen.TransparentTls is { } transparentTls)
            {
                kestrel.Listen(ownTransport?.Claim(transparentTls) ?? transparentTls, listen =>
                {
                    EnableHttp2ForTermination(listen);
                    endPoints.Add(ListenerKind.TransparentTls, listen);
                    listen.Use(CountConnections(listen, ListenerKind.TransparentTls));

                    // A relayed connection ends here; only an intercepted one reaches the HTTP stack.
                    listen.Use(next => ActivatorUtilities.CreateInstance<TransparentTlsMiddleware>(listen.ApplicationServices, next).OnConnectionAsync);
                });
            }

            if (config.Listen.Metrics is { } metrics)
            {
                ListenMetrics(kestrel, metrics, endPoints);
            }

            string adminPath = config.Listen.Admin.ToString()!;
            Directory.CreateDirectory(Path.GetDirectoryName(adminPath)!);
            TryDelete(adminPath); // a socket file left by a daemon that crashed
            kestrel.ListenUnixSocket(adminPath, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                listen.Use(next => context =>
                {
                    context.Items[ListenerKind.ItemKey] = ListenerKind.Admin;
                    return next(context);
                });
            });
        });

        WebApplication app = builder.Build();

        // Every listener, the DNS resolver's TCP side included, is off limits to the dialer: a loop.
        DnsServer? dnsServer = app.Services.GetService<DnsServer>();
        app.Services.GetRequiredService<Dialer>().IsGatewayEndPoint = target =>
            endPoints.Reaches(target) || (dnsServer?.EndPoint is { } dns && ListenerEndPoints.Reaches(dns, target));
        MapMetrics(app);
        app.UseWhen(IsAdmin, admin =>
        {
            admin.UseRouting();
            admin.UseEndpoints(endpoints =>
            {
                AdminApi.Map(endpoints, policy, app.Services.GetRequiredService<SandboxRegistry>());
                AdminExplain.Map(endpoints, policy, app.Services.GetRequiredService<SandboxRegistry>());
                AdminPolicyEdits.Map(
                    endpoints, policy, app.Services.GetRequiredService<SandboxRegistry>(),
                    app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AdminPolicyEdits).FullName!));
                AdminEnvironment.Map(endpoints, policy, app.Services.GetRequiredService<SandboxRegistry>(), app.Services.GetRequiredService<Placeholders>());
                AdminApprovals.Map(endpoints, app.Services.GetRequiredService<AskMode>());
                AdminApi.MapAudit(endpoints, app.Services.GetRequiredService<AuditWriter>());
                AdminApi.MapCertificateAuthority(endpoints, app.Services.GetRequiredService<LeafCertificateCache>(), config.StateDir);
            });
        });
        app.UseWhen(InterceptedRequestHandler.IsIntercepted, intercepted => intercepted.Run(app.Services.GetRequiredService<InterceptedRequestHandler>().HandleAsync));
        app.Run(ActivatorUtilities.CreateInstance<AbsoluteFormHandler>(app.Services).HandleAsync);
        app.Lifetime.ApplicationStarted.Register(() => OnStarted(app, config, policy));
        app.Lifetime.ApplicationStarted.Register(() => OnMetricsStarted(app, config));
        app.Lifetime.ApplicationStopping.Register(app.Services.GetRequiredService<Readiness>().MarkStopping);
        app.Lifetime.ApplicationStopping.Register(() => OnStopping(app));

        // Held requests get their 403 now rather than hold up the drain until holdFor.
        app.Lifetime.ApplicationStopping.Register(app.Services.GetRequiredService<AskMode>().Dispose);
        app.Lifetime.ApplicationStopped.Register(bootLoggers.Dispose); // runs after policy.Dispose (last in, first out)
        app.Lifetime.ApplicationStopped.Register(policy.Dispose);
        return app;
    }

    /// <summary>ZLogger on the console: plain lines for people, JSON lines for collectors.</summary>
    public static Action<ILoggingBuilder> ConsoleLogging(bool json) => logging =>
    {
        logging.AddZLoggerConsole(options =>
        {
            // Block rather than drop: a log line an operator needs must not vanish under load;
            // the data path itself never logs per chunk, so this cannot stall relaying.
            options.FullMode = BackgroundBufferFullMode.Block;
            if (json)
            {
                options.UseJsonFormatter();
            }
            else
            {
                options.UsePlainTextFormatter(formatter => formatter.SetPrefixFormatter(
                    $"{0:yyyy-MM-ddTHH:mm:ss}Z {1:short} ",
                    (in MessageTemplate template, in LogInfo info) => template.Format(info.Timestamp.Utc, info.LogLevel)));
            }
        });
        logging.SetMinimumLevel(LogLevel.Information);

        // Every line a client can cause per connection goes through a rate limit, so no sandbox can
        // flood the log (a filter function is asked for each line, after the minimum level).
        logging.AddFilter("Microsoft", level => level >= LogLevel.Warning && FrameworkLogLimit.TryTake());
        logging.AddFilter("System", level => level >= LogLevel.Warning && FrameworkLogLimit.TryTake());

        // The forwarder's own request errors are answered and logged by the gateway (502/504 with the reason).
        logging.AddFilter("Yarp", level => level >= LogLevel.Error && FrameworkLogLimit.TryTake());
        logging.AddFilter("Gateway", level => level >= LogLevel.Information && GatewayLogLimit.TryTake());
    };

    /// <summary>
    /// Kestrel's, the runtime's and YARP's lines above their levels: each is about one connection
    /// (Kestrel logs HTTP/2 floods at Critical, once per frame it could not queue).
    /// </summary>
    internal static LogRateLimit FrameworkLogLimit { get; } = new(perSecond: 5, burst: 50);

    /// <summary>The gateway's own lines: start-up, reloads and operator messages fit; a per-connection flood does not.</summary>
    internal static LogRateLimit GatewayLogLimit { get; } = new(perSecond: 20, burst: 200);

    /// <summary>
    /// HTTP/1.1 and HTTP/2, which is Kestrel's default: set only if a default ever differs, because
    /// setting it explicitly on a listener without Kestrel's own TLS makes Kestrel warn at every
    /// start that HTTP/2 is disabled, which is untrue once the gateway terminates TLS itself.
    /// </summary>
    private static void EnableHttp2ForTermination(ListenOptions listen)
    {
        if (listen.Protocols != HttpProtocols.Http1AndHttp2)
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
        }
    }

    private static bool IsAdmin(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ListenerKind.ItemKey, out object? kind) == true
        && (string?)kind == ListenerKind.Admin;

    private static void OnStarted(WebApplication app, GatewayConfig config, LivePolicy policy)
    {
        ILogger logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Gateway");
        string adminPath = config.Listen.Admin.ToString()!;
        try
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(adminPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        catch (IOException e)
        {
            Log.AdminModeFailed(logger, adminPath, e.Message);
        }

        ListenerEndPoints bound = app.Services.GetRequiredService<ListenerEndPoints>();
        foreach ((string kind, string name) in s_listenerNames)
        {
            if (bound.EndPointOf(kind) is { } endPoint)
            {
                Log.Listening(logger, name, endPoint.ToString()!);
            }
        }

        if (app.Services.GetService<DnsServer>()?.EndPoint is { } dns)
        {
            Log.Listening(logger, "dns", dns + " (udp, tcp)");
        }

        Log.Listening(logger, "admin API", "unix:" + adminPath);
        Log.PolicyLoaded(logger, policy.Current.Rules.Count, policy.Current.Kits.Length, config.StateDir);
        if (config.Policy.Mode == PolicyMode.Report)
        {
            Log.ReportMode(logger);
        }
    }

    private static readonly (string Kind, string Name)[] s_listenerNames =
    [
        (ListenerKind.Forward, "forward proxy"),
        (ListenerKind.TransparentHttp, "transparent HTTP"),
        (ListenerKind.TransparentTls, "transparent TLS"),
    ];

    private static void OnStopping(WebApplication app)
    {
        ILogger logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Gateway");
        Log.Stopping(logger, app.Services.GetRequiredService<ConnectionGate>().Open, (int)DrainTimeout.TotalSeconds);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1000, LogLevel.Information, "listening: {Listener} on {EndPoint}")]
        public static partial void Listening(ILogger logger, string listener, string endPoint);

        [LoggerMessage(1001, LogLevel.Information, "policy: {Rules} rules, {Kits} kits, state in {StateDir}")]
        public static partial void PolicyLoaded(ILogger logger, int rules, int kits, string stateDir);

        [LoggerMessage(1003, LogLevel.Information, "stopping: no new connections; {Open} open connections get up to {Seconds}s to finish")]
        public static partial void Stopping(ILogger logger, int open, int seconds);

        [LoggerMessage(1002, LogLevel.Warning, "admin socket {Path}: cannot restrict to mode 0600 ({Reason})")]
        public static partial void AdminModeFailed(ILogger logger, string path, string reason);

        [LoggerMessage(1004, LogLevel.Warning, "policy.mode is report: denials are NOT enforced; denied traffic is let through and audited as wouldBlock (the egress guard and the other checks still refuse)")]
        public static partial void ReportMode(ILogger logger);
    }
}
