using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Gateway.Cli;
using Gateway.Configuration;
using Gateway.Dialing;
using Gateway.Hosting;
using Gateway.Listeners;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Listeners;

/// <summary>
/// The real daemon in-process: Kestrel on 127.0.0.1:0 (forward and metrics listeners), a fresh
/// state directory, names of the test resolved statically, real DNS never asked (unknown names
/// do not resolve).
/// </summary>
internal sealed class GatewayUnderTest : IAsyncDisposable
{
    public static readonly FrozenDictionary<string, IPAddress> TestHosts = new Dictionary<string, IPAddress>
    {
        ["api.example.test"] = IPAddress.Loopback,
        ["other.example.test"] = IPAddress.Loopback,
        ["metadata.example.test"] = IPAddress.Parse("169.254.169.254"),
    }.ToFrozenDictionary();

    private readonly WebApplication _app;

    private GatewayUnderTest(WebApplication app, string stateDir, int port, int? metricsPort)
    {
        _app = app;
        StateDir = stateDir;
        Port = port;
        MetricsPort = metricsPort;
    }

    public string StateDir { get; }

    public int Port { get; }

    public string ProxyUrl => $"http://127.0.0.1:{Port}";

    /// <summary>The metrics listener's port; null when a test turned <c>listen.metrics</c> off or put it on a unix socket.</summary>
    public int? MetricsPort { get; }

    public string MetricsUrl => $"http://127.0.0.1:{MetricsPort ?? throw new InvalidOperationException("the metrics listener is not on TCP")}";

    /// <summary>The daemon's services, for tests that look at what it holds.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a gateway whose policy is set first with CLI commands (each an argument list).</summary>
    /// <param name="services">Last word on services after the test's own (a dialer with a simulated DNS, a failing audit file).</param>
    public static async Task<GatewayUnderTest> StartAsync(
        string[][]? policyCommands = null,
        Func<GatewayConfig, GatewayConfig>? configure = null,
        bool openLoopback = true,
        Action<IServiceCollection>? services = null,
        Action<ILoggingBuilder>? logging = null)
    {
        string stateDir = Directory.CreateTempSubdirectory("gw-e2e-").FullName;
        foreach (string[] command in policyCommands ?? [])
        {
            (int exit, string output) = RunCli(stateDir, command);
            Assert.True(exit == 0, output);
        }

        GatewayConfig defaults = GatewayConfig.CreateDefault(stateDir);
        GatewayConfig config = defaults with
        {
            Listen = defaults.Listen with { Forward = new IPEndPoint(IPAddress.Loopback, 0), Metrics = new IPEndPoint(IPAddress.Loopback, 0) },
            Resolve = new ResolveConfig(TestHosts),
            Egress = new EgressConfig(openLoopback ? [IPNetwork.Parse("127.0.0.0/8")] : ImmutableArray<IPNetwork>.Empty),
        };
        config = configure?.Invoke(config) ?? config;
        var errors = new List<string>();
        WebApplication? app = GatewayHost.Build(
            config,
            errors,
            logging: logging ?? (l => l.SetMinimumLevel(LogLevel.Warning)),
            services: s =>
            {
                s.AddSingleton(new Dialer(config.Resolve, config.Egress, config.Limits.ConnectTimeout, resolver: NoDns, upstream: config.Upstream, credentials: config.Credentials));
                services?.Invoke(s);
            });
        Assert.True(app is not null, string.Join("\n", errors));
        await app.StartAsync();
        ListenerEndPoints bound = app.Services.GetRequiredService<ListenerEndPoints>();
        int port = ((IPEndPoint)bound.EndPointOf(ListenerKind.Forward)!).Port;
        int? metricsPort = (bound.EndPointOf(ListenerKind.Metrics) as IPEndPoint)?.Port;
        return new GatewayUnderTest(app, stateDir, port, metricsPort);
    }

    /// <summary>The bound port of a listener (port 0 in the config), or null when it is off.</summary>
    public int? PortOf(string listenerKind) =>
        (_app.Services.GetRequiredService<ListenerEndPoints>().EndPointOf(listenerKind) as IPEndPoint)?.Port;

    /// <summary>Runs `gateway --state-dir DIR …` in-process, as an operator would while the daemon runs.</summary>
    public (int Exit, string Output) Cli(params string[] args) => RunCli(StateDir, args);

    /// <summary>Stops as SIGTERM does: listeners close, connections drain, the audit log is flushed.</summary>
    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(StateDir, recursive: true);
    }

    private static (int Exit, string Output) RunCli(string stateDir, string[] args)
    {
        var output = new StringWriter();
        int exit = GatewayCli.Run(["--state-dir", stateDir, .. args], new CliContext
        {
            Out = output,
            Error = output,
            In = TextReader.Null,
            InteractiveInput = false,
            Environment = ConfigLoader.NoEnvironment,
        });
        return (exit, output.ToString());
    }

    private static Task<IPAddress[]> NoDns(string host, CancellationToken cancellation) =>
        Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
}
