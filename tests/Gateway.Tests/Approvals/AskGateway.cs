using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Gateway.Configuration;
using Gateway.Tests.Listeners;

namespace Gateway.Tests.Approvals;

/// <summary>A gateway with ask mode on over a deny-all policy (every host is a question), and the operator's side of it.</summary>
internal static class AskGateway
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    public static Task<GatewayUnderTest> StartAsync(
        TimeSpan holdFor, int maxPerSandbox = 16, int? transparentTlsDialPort = null, Func<AskConfig, AskConfig>? ask = null, int? transparentHttpDialPort = null) =>
        GatewayUnderTest.StartAsync(
            [["policy", "set-default", "deny-all"]],
            config =>
            {
                var askConfig = new AskConfig(true, holdFor, null, null, null, maxPerSandbox);
                config = config with { Policy = config.Policy with { Ask = ask?.Invoke(askConfig) ?? askConfig } };
                if (transparentTlsDialPort is { } dialTls)
                {
                    config = config with
                    {
                        Listen = config.Listen with { TransparentTls = new IPEndPoint(IPAddress.Loopback, 0) },
                        Transparent = config.Transparent with { DialTlsPort = dialTls },
                    };
                }

                if (transparentHttpDialPort is { } dialHttp)
                {
                    config = config with
                    {
                        Listen = config.Listen with { TransparentHttp = new IPEndPoint(IPAddress.Loopback, 0) },
                        Transparent = config.Transparent with { DialHttpPort = dialHttp },
                    };
                }

                return config;
            });

    /// <summary>Polls <c>policy pending --json</c> (the CLI, as an operator would) until a request for <paramref name="host"/> waits.</summary>
    public static async Task<JsonElement> WaitForPendingAsync(GatewayUnderTest gateway, string host, string? sandbox = null)
    {
        long deadline = Stopwatch.GetTimestamp() + (long)(s_wait.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            (int exit, string output) = gateway.Cli("policy", "pending", "--json");
            Assert.True(exit == 0, output);
            foreach (JsonElement row in JsonDocument.Parse(output).RootElement.EnumerateArray())
            {
                if (row.GetProperty("host").GetString() == host && (sandbox is null || row.GetProperty("sandbox").GetString() == sandbox))
                {
                    return row.Clone();
                }
            }

            Assert.True(Stopwatch.GetTimestamp() < deadline, $"no pending approval for {host} within {s_wait}: {output}");
            await Task.Delay(100);
        }
    }

    /// <summary>The audit events written so far that match <paramref name="reason"/>, waiting (bounded) for the first.</summary>
    public static async Task<JsonElement> WaitForAuditAsync(GatewayUnderTest gateway, string host, string reason)
    {
        string file = Path.Combine(gateway.StateDir, "audit.jsonl");
        long deadline = Stopwatch.GetTimestamp() + (long)(s_wait.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            if (File.Exists(file))
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var reader = new StreamReader(stream);
                while (await reader.ReadLineAsync() is { } line)
                {
                    JsonElement e = JsonDocument.Parse(line).RootElement;
                    if (e.TryGetProperty("host", out JsonElement h) && h.GetString() == host
                        && e.TryGetProperty("reason", out JsonElement r) && r.GetString() == reason)
                    {
                        return e.Clone();
                    }
                }
            }

            Assert.True(Stopwatch.GetTimestamp() < deadline, $"no audit event for {host} with reason {reason} within {s_wait}");
            await Task.Delay(100);
        }
    }
}
