using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Gateway.Audit;
using Gateway.EndToEnd.Tests;
using Gateway.Tests.Dns;
using Security.Tests.Harness;

namespace Security.Tests.Attacks;

/// <summary>
/// One sandbox must not erase the on-box audit trail (issue 16, point 3). Two sandboxes on one
/// gateway process: "quiet" (127.0.0.3) makes one decision, "flood" (127.0.0.2) then floods
/// refusals. Before the fix, 20,000 random DNS names from one UDP socket (~5 MB of audit lines)
/// rotated the quiet sandbox's event off a 2 MiB file budget with nothing counted anywhere, and a
/// flood of distinct CONNECT hosts pushed its row out of <c>policy log</c>.
/// </summary>
public sealed class AuditFloodAttackTests
{
    private const int FloodQueries = 20_000;
    private static readonly TimeSpan s_floodBound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);
    private static readonly IPAddress s_flood = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress s_quiet = IPAddress.Parse("127.0.0.3");

    [Fact]
    public async Task DnsFloodOfRandomNames_FromOneSandbox_LeavesTheOtherSandboxsEventOnDisk_AndIsCountedAndSummarised()
    {
        int dnsPort = FreePorts.Dns();
        using GatewayDaemon gateway = await StartAsync(dnsPort, "maxFileSize: 1MiB\n  keep: 1");

        await QueryAsync(s_quiet, dnsPort, "kept.example.test");
        (int sent, TimeSpan took) = await FloodDnsAsync(dnsPort);

        // The flood's own lines are bounded by its bucket: the burst plus the rate over the flood, and its summaries.
        string[] lines = await WaitForLinesAsync(gateway, l => l.Contains("\"suppressed\":", StringComparison.Ordinal) && l.Contains("\"sandbox\":\"flood\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("\"sandbox\":\"quiet\"", StringComparison.Ordinal) && l.Contains("kept.example.test", StringComparison.Ordinal));
        long floodLines = lines.Count(l => l.Contains("\"sandbox\":\"flood\"", StringComparison.Ordinal) && !l.Contains("\"suppressed\":", StringComparison.Ordinal));
        Assert.InRange(floodLines, 1, 200 + (20 * ((long)took.TotalSeconds + 2)));

        long summarised = lines.Where(l => l.Contains("\"suppressed\":", StringComparison.Ordinal)).Sum(l => JsonDocument.Parse(l).RootElement.GetProperty("suppressed").GetInt64());
        Dictionary<string, double> metrics = await ScrapeAsync(gateway);
        Assert.True(metrics["gateway_audit_suppressed_total"] >= summarised && summarised > 0, $"summarised {summarised}, counted {metrics["gateway_audit_suppressed_total"]}");
        // Not every datagram sent is decided (the kernel drops what the socket buffer cannot hold), but what was decided and not written is counted.
        Assert.True(metrics["gateway_audit_suppressed_total"] > floodLines, $"sent {sent} in {took.TotalSeconds:F1} s, written {floodLines}, suppressed {metrics["gateway_audit_suppressed_total"]}");
        Assert.Equal(0, metrics["gateway_audit_dropped_total"]);
        Assert.Equal(0, metrics["gateway_audit_rotated_events_total"]);
    }

    [Fact]
    public async Task RotationUnderAFlood_IsNeverSilent_WhatItDeletesIsCounted()
    {
        // No bucket to speak of: what a flood of allowed-looking volume does to a small file budget.
        int dnsPort = FreePorts.Dns();
        using GatewayDaemon gateway = await StartAsync(dnsPort, "maxFileSize: 1MiB\n  keep: 1\n  refusalsPerSecond: 1000000\n  refusalBurst: 1000000");

        await QueryAsync(s_quiet, dnsPort, "kept.example.test");
        // ~250 bytes a line: 40,000 queries (fewer are decided when the kernel drops datagrams) overflow 2 MiB.
        await FloodDnsAsync(dnsPort, queries: 40_000);

        using var deadline = new CancellationTokenSource(s_wait);
        Dictionary<string, double> metrics = await ScrapeAsync(gateway);
        while (metrics["gateway_audit_rotated_events_total"] == 0)
        {
            await Task.Delay(200, deadline.Token);
            metrics = await ScrapeAsync(gateway);
        }

        Assert.DoesNotContain(AuditLines(gateway), l => l.Contains("kept.example.test", StringComparison.Ordinal));
        Assert.True(metrics["gateway_audit_retention_seconds"] < 3600, "the retention the alert watches");
        Assert.Equal(0, metrics["gateway_audit_dropped_total"]);
    }

    [Fact]
    public async Task ConnectFloodOfDistinctHosts_FromOneSandbox_LeavesTheOtherSandboxsRowInPolicyLog()
    {
        using GatewayDaemon gateway = await StartAsync(FreePorts.Dns(), "logRows: 300\n  logRowsPerSandbox: 200");

        Assert.StartsWith("HTTP/1.1 403", await ConnectAsync(gateway, s_quiet, "kept.example.test"), StringComparison.Ordinal);
        var stopwatch = Stopwatch.StartNew();
        for (int i = 0; i < 1000 && stopwatch.Elapsed < s_floodBound; i++)
        {
            await ConnectAsync(gateway, s_flood, string.Create(CultureInfo.InvariantCulture, $"r{i}-{Guid.NewGuid():N}.example.test"));
        }

        JsonElement rows = default;
        using var deadline = new CancellationTokenSource(s_wait);
        int floodRows = 0;
        while (floodRows < 200)
        {
            await Task.Delay(200, deadline.Token);
            rows = (await GatewayProcess.RunAsync(["--state-dir", gateway.StateDir, "policy", "log", "--json"])).AssertSuccess().Json();
            floodRows = rows.EnumerateArray().Count(r => r.GetProperty("sandbox").GetString() == "flood");
        }

        Assert.Equal(200, floodRows);
        Assert.Contains(rows.EnumerateArray(), r => r.GetProperty("sandbox").GetString() == "quiet" && r.GetProperty("host").GetString() == "kept.example.test");
    }

    private static Task<GatewayDaemon> StartAsync(int dnsPort, string audit) =>
        GatewayDaemon.StartAsync([["policy", "set-default", "deny-all"]], string.Create(CultureInfo.InvariantCulture, $"""
            sandboxes:
              - {"{"} name: flood, addresses: [127.0.0.2] {"}"}
              - {"{"} name: quiet, addresses: [127.0.0.3] {"}"}
            audit:
              {audit}
            """), string.Create(CultureInfo.InvariantCulture, $"dns: 127.0.0.1:{dnsPort}"));

    private static async Task<(int Sent, TimeSpan Took)> FloodDnsAsync(int dnsPort, int queries = FloodQueries)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(s_flood, 0));
        var target = new IPEndPoint(IPAddress.Loopback, dnsPort);
        byte[] reply = new byte[512];
        var stopwatch = Stopwatch.StartNew();
        int sent = 0;
        for (; sent < queries && stopwatch.Elapsed < s_floodBound; sent++)
        {
            await socket.SendToAsync(DnsTestMessages.Query(string.Create(CultureInfo.InvariantCulture, $"{Guid.NewGuid():N}.example.test"), id: (ushort)sent), target);
            if (sent % 32 == 31)
            {
                // A window of 32 in flight: the replies pace the flood without one lost datagram stopping it.
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                try
                {
                    await socket.ReceiveAsync(reply, timeout.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }

        return (sent, stopwatch.Elapsed);
    }

    private static async Task QueryAsync(IPAddress from, int dnsPort, string name)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(from, 0));
        await socket.SendToAsync(DnsTestMessages.Query(name), new IPEndPoint(IPAddress.Loopback, dnsPort));
        using var timeout = new CancellationTokenSource(s_wait);
        await socket.ReceiveAsync(new byte[512], timeout.Token);
    }

    private static async Task<string> ConnectAsync(GatewayDaemon gateway, IPAddress from, string host)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(from, 0));
        using var timeout = new CancellationTokenSource(s_wait);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, gateway.Port), timeout.Token);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"CONNECT {host}:443 HTTP/1.1\r\nHost: {host}:443\r\n\r\n"), timeout.Token);
        byte[] buffer = new byte[256];
        int read = await socket.ReceiveAsync(buffer, timeout.Token);
        return Encoding.ASCII.GetString(buffer, 0, read);
    }

    private static async Task<string[]> WaitForLinesAsync(GatewayDaemon gateway, Func<string, bool> until)
    {
        using var deadline = new CancellationTokenSource(s_wait);
        string[] lines = AuditLines(gateway);
        while (!lines.Any(until))
        {
            await Task.Delay(200, deadline.Token);
            lines = AuditLines(gateway);
        }

        return lines;
    }

    private static string[] AuditLines(GatewayDaemon gateway)
    {
        var lines = new List<string>();
        foreach (string file in AuditFiles.OldestFirst(gateway.AuditFile))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                lines.Add(line);
            }
        }

        return [.. lines];
    }

    private static async Task<Dictionary<string, double>> ScrapeAsync(GatewayDaemon gateway)
    {
        using var client = new HttpClient { Timeout = s_wait };
        string text = await client.GetStringAsync(new Uri($"http://127.0.0.1:{gateway.MetricsPort}/metrics"));
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string line in text.Split('\n'))
        {
            if (line.StartsWith("gateway_audit_", StringComparison.Ordinal) && line.Split(' ') is [string name, string value])
            {
                values[name] = double.Parse(value, CultureInfo.InvariantCulture);
            }
        }

        return values;
    }
}
