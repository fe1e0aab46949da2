using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Gateway.EndToEnd.Tests;
using Gateway.Tests.Listeners;
using Gateway.Tests.Interception;
using Security.Tests.Harness;
using Xunit.Abstractions;

namespace Security.Tests.Attacks;

/// <summary>
/// Invariant 6: a client that resets at any point leaves at most a Debug line, never a line an
/// operator is paged for nor an unhandled exception. The real daemon runs with every listener (its
/// minimum level is Information, so every line it writes is above Debug); each stage of
/// <see cref="ClientResetStages"/> walks a connection that far and resets it; then the daemon stops
/// and its whole log is read.
/// </summary>
public sealed class ClientResetAttackTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ClientsResettingAtEveryStage_OnEveryListener_LeaveNoLogLineAboveDebug()
    {
        using var upstreamCa = new InterceptTestCa();
        await using InterceptUpstream intercepted = await InterceptUpstream.StartAsync(upstreamCa);
        await using TestUpstream plain = await TestUpstream.StartAsync();
        using var echo = new EchoUpstream();
        int tls = FreePorts.Tcp(), http = FreePorts.Tcp(), dns = FreePorts.Dns();
        string kit = Path.Combine(Directory.CreateTempSubdirectory("gw-quiet-kit-").FullName, "spec.yaml");
        await File.WriteAllTextAsync(kit, $"""
            schemaVersion: "1"
            kind: mixin
            name: quiet-kit
            network:
              allowedDomains: [{ClientResetStages.Intercepted}, {ClientResetStages.Relayed}]
              rules:
                - {"{"}host: {ClientResetStages.Intercepted}, methods: [GET, POST], decision: allow{"}"}
            """);
        using GatewayDaemon gateway = await GatewayDaemon.StartAsync(
            [["policy", "set-default", "deny-all"]],
            string.Create(CultureInfo.InvariantCulture, $"""
                kits: [{kit}]
                sandboxes:
                  - {"{"}name: dev, addresses: [127.0.0.1], kits: [quiet-kit]{"}"}
                trust:
                  extraRootCAs: [{upstreamCa.PemPath}]
                transparent:
                  dialTlsPort: {intercepted.Port}
                  dialHttpPort: {plain.HttpPort}
                """),
            string.Create(CultureInfo.InvariantCulture, $"transparentTls: 127.0.0.1:{tls}\n  transparentHttp: 127.0.0.1:{http}\n  dns: 127.0.0.1:{dns}"),
            ["--log-format", "json"]);

        await WaitUntilReadyAsync(gateway.MetricsPort);
        var ports = new ClientResetPorts(gateway.Port, tls, http, dns, gateway.MetricsPort);
        var stages = new ClientResetStages(ports, intercepted.Port, echo.Port, plain.HttpPort);
        DateTimeOffset faultsFrom = DateTimeOffset.UtcNow;
        var began = new List<(DateTimeOffset At, string Stage)>();
        foreach ((string name, Func<Task> run) in stages.All())
        {
            began.Add((DateTimeOffset.UtcNow, name));
            await run().WaitAsync(TimeSpan.FromSeconds(30));
        }

        // The daemon still serves, and has had the time to notice every reset (a relay or an HTTP
        // stack notices on its next read or write, well within the header timeout of 5 s).
        await Task.Delay(TimeSpan.FromSeconds(6));
        using (RawClient client = await RawClient.ConnectAsync(gateway.Port))
        {
            await client.SendAsync($"CONNECT {ClientResetStages.Relayed}:{echo.Port} HTTP/1.1\r\n\r\n");
            Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        }

        gateway.Process.Terminate();
        GatewayResult result = await gateway.Process.WaitAsync();
        List<LogLine> lines = [.. result.StdoutLines.Concat(result.StderrLines).Select(LogLine.Parse)];

        // The log is read: the start-up lines are there (so an empty window means a quiet daemon).
        Assert.Contains(lines, l => l.Message.StartsWith("listening: transparent TLS", StringComparison.Ordinal));
        var loud = new List<string>();
        foreach (LogLine line in lines)
        {
            // Start-up lines may be written after the first stage began (the metrics listener
            // reports ready before the others have logged); they are told apart by what they say.
            bool startUp = line.Level == "Information" && s_startUp.Any(p => line.Message.StartsWith(p, StringComparison.Ordinal));
            bool afterFaults = !startUp && (line.Time is not { } time || time >= faultsFrom);
            bool orderlyStop = line.Message.StartsWith("stopping: ", StringComparison.Ordinal) && line.Level == "Information";
            if (line.Raw.Contains("Unhandled exception", StringComparison.Ordinal) || (afterFaults && !orderlyStop))
            {
                string during = line.Time is { } at ? began.LastOrDefault(b => b.At <= at).Stage ?? "before the first stage" : "unknown";
                loud.Add($"[{during}] {line.Raw}");
            }
        }

        output.WriteLine($"{began.Count} stages; {lines.Count} log lines in all");
        foreach (string line in loud)
        {
            output.WriteLine(line);
        }

        Assert.True(loud.Count == 0, $"{loud.Count} lines above Debug after clients reset:\n{string.Join('\n', loud)}");
        Assert.Equal(0, result.ExitCode);
    }

    private static readonly string[] s_startUp = ["listening: ", "interception CA created: ", "policy: 1 rules, 1 kits, state in "];

    private static async Task WaitUntilReadyAsync(int metricsPort)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        for (int attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                if ((await http.GetAsync(new Uri($"http://127.0.0.1:{metricsPort}/readyz"))).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("/readyz did not answer 200 within 10 s");
    }

    /// <summary>One line of the daemon's JSON log (ZLogger's JSON formatter), or a raw line it could not parse (a crash's stack trace).</summary>
    private sealed record LogLine(string Raw, DateTimeOffset? Time, string Level, string Message)
    {
        public static LogLine Parse(string raw)
        {
            try
            {
                using var json = JsonDocument.Parse(raw);
                JsonElement root = json.RootElement;
                return new LogLine(
                    raw,
                    root.GetProperty("Timestamp").GetDateTimeOffset(),
                    root.GetProperty("LogLevel").GetString() ?? "",
                    root.TryGetProperty("Message", out JsonElement message) ? message.GetString() ?? "" : "");
            }
            catch (JsonException)
            {
                return new LogLine(raw, null, "", raw);
            }
        }
    }
}
