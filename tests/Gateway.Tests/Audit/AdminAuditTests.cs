using System.Text.Json;
using Gateway.Admin;
using Gateway.Audit;
using Gateway.Cli;
using Gateway.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Audit;

/// <summary>`policy log` against a running daemon: the admin socket serves the writer's in-memory view and live events.</summary>
public sealed class AdminAuditTests : IAsyncLifetime
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private readonly string _stateDir = AuditTestEvents.TempDir();
    private AuditWriter _writer = null!;
    private WebApplication _admin = null!;

    public async Task InitializeAsync()
    {
        // The daemon's file lies elsewhere: whatever the CLI prints came over the socket.
        _writer = new AuditWriter(AuditTestEvents.Config(Path.Combine(_stateDir, "daemon")), TimeProvider.System);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenUnixSocket(Path.Combine(_stateDir, "admin.sock")));
        _admin = builder.Build();
        AdminApi.MapAudit(_admin, _writer);
        await _admin.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _admin.StopAsync();
        await _admin.DisposeAsync();
        await _writer.DisposeAsync();
        Directory.Delete(_stateDir, recursive: true);
    }

    [Fact]
    public async Task Log_ComesFromTheDaemonsAggregate()
    {
        await _writer.WriteAsync(AuditTestEvents.Event(host: "live.example.test", seconds: 1));
        await _writer.WriteAsync(AuditTestEvents.Event(host: "live.example.test", seconds: 2));
        while (_writer.Written < 2)
        {
            await Task.Delay(10);
        }

        var output = new StringWriter();
        int exit = GatewayCli.Run(["--state-dir", _stateDir, "policy", "log", "--json"], Context(output, CancellationToken.None));

        Assert.Equal(0, exit);
        using JsonDocument json = JsonDocument.Parse(output.ToString());
        JsonElement row = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal(("live.example.test", 2), (row.GetProperty("host").GetString(), row.GetProperty("count").GetInt32()));
    }

    [Fact]
    public async Task Follow_StreamsTheDaemonsEvents()
    {
        var output = new LineCapture();
        using var stop = new CancellationTokenSource(s_timeout);
        Task<int> follow = Task.Run(() => GatewayCli.Run(["--state-dir", _stateDir, "policy", "log", "--follow"], Context(output, stop.Token)));
        while (_writer.WatcherCount == 0 && !follow.IsCompleted)
        {
            await Task.Delay(10);
        }

        await _writer.WriteAsync(AuditTestEvents.Event(host: "denied.example.test", decision: AuditEvent.Blocked, rule: "default"));

        Assert.True(await output.WaitForAsync("BLOCKED   denied.example.test", TimeSpan.FromSeconds(10)), output.ToString()); // bounded wait, not a latency assertion (CI is shared)
        await stop.CancelAsync();
        Assert.Equal(0, await follow.WaitAsync(s_timeout));
    }

    private static CliContext Context(TextWriter output, CancellationToken cancellation) => new()
    {
        Out = output,
        Error = output,
        In = TextReader.Null,
        InteractiveInput = false,
        Environment = ConfigLoader.NoEnvironment,
        Time = new UtcZoneTimeProvider(),
        Cancellation = cancellation,
    };
}
