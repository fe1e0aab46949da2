using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Vmm.Tests;

/// <summary>
/// A real HTTPS server on a loopback address of its own, port 443 (the port a transparent
/// connection is dialled on): answers every request with "hello from NAME", NAME being the SNI
/// name, then closes. Its certificate names every host it serves; <see cref="CaFile"/> is it as PEM for curl.
/// </summary>
internal sealed class TlsUpstream : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly X509Certificate2 _certificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _connections;

    private TlsUpstream(IPAddress address, IReadOnlyList<string> hosts, string directory)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + hosts[0], key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (string host in hosts)
        {
            names.AddDnsName(host);
        }

        request.CertificateExtensions.Add(names.Build());
        using X509Certificate2 created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        _certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
        CaFile = Path.Combine(directory, "upstream-ca.pem");
        File.WriteAllText(CaFile, created.ExportCertificatePem());
        Address = address;
        _listener = new TcpListener(address, 443);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>The loopback address the server listens on (port 443).</summary>
    public IPAddress Address { get; }

    /// <summary>The server's certificate as PEM, for <c>curl --cacert</c>.</summary>
    public string CaFile { get; }

    /// <summary>TLS connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Starts the server on a random 127.77.x.y, so parallel runs never share it.</summary>
    public static TlsUpstream Start(IReadOnlyList<string> hosts, string directory)
    {
        for (int attempt = 0; ; attempt++)
        {
            var address = new IPAddress([127, 77, (byte)Random.Shared.Next(1, 255), (byte)Random.Shared.Next(1, 255)]);
            try
            {
                return new TlsUpstream(address, hosts, directory);
            }
            catch (SocketException) when (attempt < 8)
            {
            }
        }
    }

    /// <summary>" key-sha256=HEX16" for the request's x-api-key header, or nothing without one.</summary>
    internal static string KeyDigest(string head)
    {
        foreach (string line in head.Split("\r\n"))
        {
            if (line.StartsWith("x-api-key:", StringComparison.OrdinalIgnoreCase))
            {
                return " key-sha256=" + Sha256Prefix(line["x-api-key:".Length..].Trim());
            }
        }

        return string.Empty;
    }

    /// <summary>The first 16 hex digits of the SHA-256 of <paramref name="value"/>.</summary>
    internal static string Sha256Prefix(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..16];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _certificate.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
            Interlocked.Increment(ref _connections);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                timeout.CancelAfter(TimeSpan.FromSeconds(20));
                await using var tls = new SslStream(client.GetStream());
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, timeout.Token);
                byte[] buffer = new byte[8192];
                int read = 0;
                while (read < buffer.Length && !Encoding.ASCII.GetString(buffer, 0, read).Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    int n = await tls.ReadAsync(buffer.AsMemory(read), timeout.Token);
                    if (n == 0)
                    {
                        return;
                    }

                    read += n;
                }

                // An injected x-api-key is answered by its hash, never echoed: the test sees that the
                // real key arrived without the sandbox ever reading it.
                string head = Encoding.ASCII.GetString(buffer, 0, read);
                string body = "hello from " + tls.TargetHostName + KeyDigest(head);
                string response = $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}";
                await tls.WriteAsync(Encoding.ASCII.GetBytes(response), timeout.Token);
                await tls.FlushAsync(timeout.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
            {
                // A refused or cut connection is what several tests provoke on purpose.
            }
        }
    }
}
