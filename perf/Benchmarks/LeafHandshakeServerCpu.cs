using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Gateway.Interception.Certificates;

namespace Benchmarks;

/// <summary>
/// The server's side of cached full handshakes alone: an <see cref="SslStream"/> server on
/// loopback presenting the cache's context, and <c>openssl s_time -new</c> (a separate process,
/// a full handshake per connection) as the client. This process's CPU time (user + kernel, TCP
/// included) divided by the handshakes it completed is what one handshake costs the gateway;
/// its inverse is handshakes per second per core.
/// </summary>
internal static class LeafHandshakeServerCpu
{
    public static void Run(int seconds)
    {
        string stateDir = Directory.CreateTempSubdirectory("bench-s_time-").FullName;
        using var ca = CertificateAuthority.LoadOrCreate(stateDir, TimeProvider.System);
        using var cache = new LeafCertificateCache(ca, TimeProvider.System);
        cache.GetContext("api.example.test");
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var counters = new long[2];
        Task server = AcceptAsync(listener, cache, counters, stop.Token);
        try
        {
            // Warm-up: JIT (tier 1 included) and the cached OpenSSL context, outside the measured window.
            STime(((IPEndPoint)listener.LocalEndpoint).Port, 3);
            Interlocked.Exchange(ref counters[0], 0);
            Interlocked.Exchange(ref counters[1], 0);
            using Process self = Process.GetCurrentProcess();
            self.Refresh();
            TimeSpan cpu0 = self.TotalProcessorTime;
            string client = STime(((IPEndPoint)listener.LocalEndpoint).Port, seconds);
            self.Refresh();
            TimeSpan cpu = self.TotalProcessorTime - cpu0;
            // s_time closes as soon as its side is done: the server then fails writing its session
            // tickets (connection reset), after all the handshake's work; those count as handshakes.
            long done = Interlocked.Read(ref counters[0]) + Interlocked.Read(ref counters[1]);
            Console.WriteLine($"gateway SslStream server, openssl s_time -new for {seconds}s: {done} handshakes ({Interlocked.Read(ref counters[1])} reset while sending tickets)");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  server CPU {cpu.TotalMilliseconds:0} ms = {cpu.TotalMicroseconds / Math.Max(done, 1):0.0} µs per handshake = {done / Math.Max(cpu.TotalSeconds, 1e-9):0} handshakes/s per core"));
            Console.WriteLine("  s_time: " + client.Trim().Replace("\n", "\n  s_time: ", StringComparison.Ordinal));
            OpenSslServer(stateDir, cache.GetContext("api.example.test").TargetCertificate, seconds);
        }
        finally
        {
            stop.Cancel();
            listener.Stop();
            server.Wait(TimeSpan.FromSeconds(10));
            Directory.Delete(stateDir, recursive: true);
        }
    }

    // The same leaf and key served by openssl s_server under the same load: the reference the
    // gateway's per-handshake CPU is compared with.
    private static void OpenSslServer(string directory, X509Certificate2 leaf, int seconds)
    {
        string certificate = Path.Combine(directory, "leaf.pem");
        string key = Path.Combine(directory, "leaf.key.pem");
        File.WriteAllText(certificate, leaf.ExportCertificatePem() + "\n");
        using (System.Security.Cryptography.ECDsa privateKey = leaf.GetECDsaPrivateKey()!)
        {
            File.WriteAllText(key, privateKey.ExportPkcs8PrivateKeyPem() + "\n");
        }

        int port = FreePort();
        var start = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (string arg in new[] { "s_server", "-www", "-quiet", "-accept", port.ToString(CultureInfo.InvariantCulture), "-cert", certificate, "-key", key })
        {
            start.ArgumentList.Add(arg);
        }

        using Process server = Process.Start(start)!;
        server.StandardInput.Close();
        try
        {
            Thread.Sleep(500);
            STime(port, 3);
            TimeSpan cpu0 = CpuOf(server.Id);
            string client = STime(port, seconds);
            TimeSpan cpu = CpuOf(server.Id) - cpu0;
            long done = long.Parse(client.Split(' ')[0], CultureInfo.InvariantCulture);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"openssl s_server, same leaf, same client: {done} handshakes, CPU {cpu.TotalMilliseconds:0} ms = {cpu.TotalMicroseconds / Math.Max(done, 1):0.0} µs per handshake = {done / Math.Max(cpu.TotalSeconds, 1e-9):0} handshakes/s per core"));
        }
        finally
        {
            server.Kill();
            server.WaitForExit(10_000);
        }
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    // utime + stime of a process, from /proc (fields 14 and 15, in clock ticks of 100 Hz on Linux).
    private static TimeSpan CpuOf(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    private static string STime(int port, int seconds)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { "s_time", "-connect", $"127.0.0.1:{port}", "-new", "-time", seconds.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit(TimeSpan.FromSeconds(seconds + 30));
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join('\n', lines.Where(l => l.Contains("connections in", StringComparison.Ordinal)));
    }

    private static async Task AcceptAsync(TcpListener listener, LeafCertificateCache cache, long[] counters, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ServeAsync(socket, cache, counters);
        }
    }

    private static async Task ServeAsync(Socket socket, LeafCertificateCache cache, long[] counters)
    {
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
        try
        {
            // s_time sends no SNI: the context of the one intercepted host.
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificateContext = cache.GetContext("api.example.test") }).ConfigureAwait(false);
            Interlocked.Increment(ref counters[0]);
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException)
        {
            Interlocked.Increment(ref counters[1]);
        }
    }
}
