using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Security.Tests.Harness;
using Xunit.Abstractions;

namespace Security.Tests.Load;

/// <summary>
/// A gateway that runs out of file descriptors (its RLIMIT_NOFILE lowered while it runs, as a
/// too-small <c>LimitNOFILE</c> would) tells the client the fault is its own (503, "cannot open
/// a socket"), never "upstream unreachable", counts it for the out-of-sockets alert, and serves
/// again once descriptors are freed.
/// </summary>
[Collection(LoadCollection.Name)]
public sealed class DescriptorExhaustionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task OutOfDescriptors_Answers503OutOfSockets_CountsIt_AndRecoversWhenTunnelsClose()
    {
        using var upstream = new EchoUpstream();
        using GatewayDaemon gateway = await GatewayDaemon.StartAsync(
            [["policy", "set-default", "deny-all"], ["policy", "allow", "network", "api.example.test"]]);
        byte[] request = Encoding.ASCII.GetBytes($"CONNECT api.example.test:{upstream.Port} HTTP/1.1\r\n\r\n");
        using (Socket warm = await OpenTunnelAsync(gateway.Port, request, expectEstablished: true))
        {
        }

        // Headroom for a few tunnels (two descriptors each); odd, so that the last free descriptor
        // goes to an accepted client whose upstream socket then cannot be opened.
        ulong original = GetSoftLimit(gateway.Pid);
        SetSoftLimit(gateway.Pid, (ulong)gateway.OpenDescriptors() + 9);
        var held = new List<Socket>();
        string? refusal = null;
        try
        {
            for (int i = 0; i < 40 && refusal is null; i++)
            {
                Socket client = await OpenTunnelAsync(gateway.Port, request, expectEstablished: false);
                held.Add(client);
                string head = await ReadHeadAsync(client);
                if (!head.StartsWith("HTTP/1.1 200 ", StringComparison.Ordinal))
                {
                    refusal = head;
                }
            }

            output.WriteLine($"tunnels established before the limit: {held.Count - 1}; refusal: {refusal?.ReplaceLineEndings(" | ")}");
            Assert.NotNull(refusal);
            Assert.StartsWith("HTTP/1.1 503 ", refusal, StringComparison.Ordinal);
            Assert.Contains("cannot open a socket", refusal, StringComparison.Ordinal);
            Assert.DoesNotContain("unreachable", refusal, StringComparison.Ordinal);
        }
        finally
        {
            foreach (Socket socket in held)
            {
                socket.Dispose();
            }

            SetSoftLimit(gateway.Pid, original);
        }

        // Descriptors freed: tunnels open again, and the refusal was counted for the alert.
        using (Socket again = await OpenTunnelAsync(gateway.Port, request, expectEstablished: true))
        {
        }

        string metrics = await ScrapeAsync(gateway.MetricsPort);
        Assert.Contains("gateway_errors_total{kind=\"out_of_sockets\"} ", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("gateway_errors_total{kind=\"out_of_sockets\"} 0", metrics, StringComparison.Ordinal);
    }

    private static async Task<Socket> OpenTunnelAsync(int port, byte[] request, bool expectEstablished)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
        await socket.SendAsync(request, SocketFlags.None, cts.Token);
        if (expectEstablished)
        {
            string head = await ReadHeadAsync(socket);
            Assert.StartsWith("HTTP/1.1 200 ", head, StringComparison.Ordinal);
        }

        return socket;
    }

    /// <summary>The response head and whatever body arrives with it within a moment (a refusal's reason).</summary>
    private static async Task<string> ReadHeadAsync(Socket socket)
    {
        byte[] buffer = new byte[2048];
        int got = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (buffer.AsSpan(0, got).IndexOf("\r\n\r\n"u8) < 0)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None, cts.Token);
            Assert.True(n > 0, "closed before an answer: " + Encoding.ASCII.GetString(buffer, 0, got));
            got += n;
        }

        if (!buffer.AsSpan(0, got).StartsWith("HTTP/1.1 200 "u8))
        {
            using var more = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                int n;
                while (got < buffer.Length && (n = await socket.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None, more.Token)) > 0)
                {
                    got += n;
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        return Encoding.ASCII.GetString(buffer, 0, got);
    }

    private static async Task<string> ScrapeAsync(int port)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return await client.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
    }

    private static ulong GetSoftLimit(int pid)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/limits"))
        {
            if (line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                string[] fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return ulong.Parse(fields[0], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"/proc/{pid}/limits has no open-files line");
    }

    /// <summary>
    /// Only the soft limit moves (util-linux's prlimit, same user): it can go back up to the hard
    /// limit without CAP_SYS_RESOURCE.
    /// </summary>
    private static void SetSoftLimit(int pid, ulong limit)
    {
        using Process prlimit = Process.Start(new ProcessStartInfo("prlimit", [$"--pid={pid}", $"--nofile={limit}:"])
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        string error = prlimit.StandardError.ReadToEnd();
        Assert.True(prlimit.WaitForExit(10_000), "prlimit did not finish");
        Assert.True(prlimit.ExitCode == 0, $"prlimit --pid={pid} --nofile={limit}: {error}");
    }
}
