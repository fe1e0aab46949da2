using System.Text.Json;

namespace Gateway.Tests.Listeners;

/// <summary>Issue 5 item 7: the audit log holds exactly the decisions made, with their fields, and loses none on stop.</summary>
public sealed class AuditEndToEndTests
{
    [Fact]
    public async Task EveryDecision_IsOneAuditEvent_WithItsFields_AndNoneIsLostOnStop()
    {
        const int Clients = 50;
        const int PerClient = 200; // 10,000 requests in all
        await using TestUpstream upstream = await TestUpstream.StartAsync();
        GatewayUnderTest gateway = await GatewayUnderTest.StartAsync([["policy", "set-default", "deny-all"], ["policy", "allow", "network", "api.example.test"]]);
        string auditFile = Path.Combine(gateway.StateDir, "audit.jsonl");
        string copy = Path.GetTempFileName();
        try
        {
            await Task.WhenAll(Enumerable.Range(0, Clients).Select(async client =>
            {
                for (int i = 0; i < PerClient; i++)
                {
                    string host = i % 2 == 0 ? "api.example.test" : "other.example.test";
                    using RawClient raw = await RawClient.ConnectAsync(gateway.Port);
                    await raw.SendAsync($"CONNECT {host}:{upstream.HttpPort} HTTP/1.1\r\n\r\n");
                    (int status, _, _) = await raw.ReadResponseAsync();
                    Assert.Equal(i % 2 == 0 ? 200 : 403, status);
                }
            }));

            await gateway.StopAsync(); // what SIGTERM does: drain, then flush the audit log
            File.Copy(auditFile, copy, overwrite: true);
        }
        finally
        {
            await gateway.DisposeAsync();
        }

        List<JsonElement> events = [.. File.ReadAllLines(copy).Select(line => JsonDocument.Parse(line).RootElement)];
        File.Delete(copy);
        // Refusals past the sandbox's audit.refusalBurst are summarised: a summary line stands for "suppressed" decisions.
        Assert.Equal(Clients * PerClient, events.Sum(Decisions));
        Assert.Equal(Clients * PerClient / 2, events.Count(e => e.GetProperty("decision").GetString() == "allowed"));
        JsonElement blocked = events.First(e => e.GetProperty("decision").GetString() == "blocked");
        Assert.Equal(("host", "network", "other.example.test", upstream.HttpPort, "forward", "default", "no-match", 403),
            (blocked.GetProperty("sandbox").GetString(), blocked.GetProperty("type").GetString(), blocked.GetProperty("host").GetString(),
             blocked.GetProperty("port").GetInt32(), blocked.GetProperty("proxy").GetString(), blocked.GetProperty("rule").GetString(),
             blocked.GetProperty("ruleId").GetString(), blocked.GetProperty("status").GetInt32()));
        JsonElement allowed = events.First(e => e.GetProperty("decision").GetString() == "allowed");
        Assert.Equal(("local", 200), (allowed.GetProperty("rule").GetString(), allowed.GetProperty("status").GetInt32()));
    }

    [Fact]
    public async Task StopUnderLoad_LosesNoEventForAnyAnsweredRequest()
    {
        await using TestUpstream upstream = await TestUpstream.StartAsync();
        GatewayUnderTest gateway = await GatewayUnderTest.StartAsync([["policy", "set-default", "deny-all"]]);
        string auditFile = Path.Combine(gateway.StateDir, "audit.jsonl");
        int answered = 0;
        using var stop = new CancellationTokenSource();
        Task[] clients = [.. Enumerable.Range(0, 50).Select(client => Task.Run(async () =>
        {
            for (int i = 0; i < 1_000 && !stop.IsCancellationRequested; i++)
            {
                try
                {
                    using RawClient raw = await RawClient.ConnectAsync(gateway.Port);
                    await raw.SendAsync($"CONNECT other.example.test:{upstream.HttpPort} HTTP/1.1\r\n\r\n");
                    (int status, _, _) = await raw.ReadResponseAsync();
                    if (status == 403)
                    {
                        Interlocked.Increment(ref answered);
                    }
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
                {
                    return; // the listener closed under us: that is the point of the test
                }
            }
        }))];

        while (Volatile.Read(ref answered) < 500)
        {
            await Task.Delay(10);
        }

        Task stopping = gateway.StopAsync(); // SIGTERM while 50 clients are still sending
        stop.Cancel();
        await Task.WhenAll(clients).WaitAsync(TimeSpan.FromSeconds(60));
        await stopping.WaitAsync(TimeSpan.FromSeconds(60));
        string[] lines = await File.ReadAllLinesAsync(auditFile);
        await gateway.DisposeAsync();

        long decided = lines.Sum(line => Decisions(JsonDocument.Parse(line).RootElement));
        Assert.True(decided >= answered, $"{decided} events for {answered} answered requests");
        Assert.All(lines, line => Assert.Equal("blocked", JsonDocument.Parse(line).RootElement.GetProperty("decision").GetString()));
    }

    // One line is one decision, except a refusal summary (rule audit-rate-limit), which is as many as it suppressed.
    private static long Decisions(JsonElement line) => line.TryGetProperty("suppressed", out JsonElement suppressed) ? suppressed.GetInt64() : 1;
}
