using System.Net;
using System.Net.Sockets;
using System.Text;
using Security.Tests.Harness;
using Xunit.Abstractions;

namespace Security.Tests.Load;

/// <summary>SIGTERM to the gateway process in the middle of load: every request that was answered has its audit event on disk.</summary>
[Collection(LoadCollection.Name)]
public sealed class ShutdownTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SigtermDuringLoad_LosesNoAuditEvent()
    {
        using GatewayDaemon gateway = await GatewayDaemon.StartAsync(
            [["policy", "set-default", "deny-all"], ["policy", "allow", "network", "api.example.test"]]);
        int sent = 0;
        int answered = 0;
        using var stop = new CancellationTokenSource();
        async Task WorkerAsync(int worker)
        {
            while (!stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref sent);
                try
                {
                    byte[] reply = await Survival.ExchangeAsync(gateway.Port, Encoding.ASCII.GetBytes($"CONNECT blocked{worker}.example.test:443 HTTP/1.1\r\n\r\n"), TimeSpan.FromSeconds(20));
                    if (Encoding.ASCII.GetString(reply).StartsWith("HTTP/1.1 403 ", StringComparison.Ordinal))
                    {
                        Interlocked.Increment(ref answered);
                    }
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException)
                {
                    return; // the listener is gone: no more requests
                }
            }
        }

        Task[] workers = [.. Enumerable.Range(0, 16).Select(WorkerAsync)];
        await Task.Delay(TimeSpan.FromSeconds(2));
        gateway.Process.Terminate();
        var result = await gateway.Process.WaitAsync();
        stop.Cancel();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));

        // A refusal summary line (past audit.refusalBurst) stands for as many refusals as it says it suppressed.
        long events = File.ReadAllLines(gateway.AuditFile).Where(l => l.Contains("\"decision\":\"blocked\"", StringComparison.Ordinal))
            .Sum(l => System.Text.Json.JsonDocument.Parse(l).RootElement.TryGetProperty("suppressed", out System.Text.Json.JsonElement n) ? n.GetInt64() : 1);
        output.WriteLine($"SIGTERM under load: {sent} sent, {answered} answered 403, {events} audit events, exit {result.ExitCode}");
        Assert.Equal(0, result.ExitCode);
        Assert.True(answered > 0);
        Assert.InRange(events, (long)answered, (long)sent);
    }
}
