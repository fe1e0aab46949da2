using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Gateway.Interception.Certificates;
using Gateway.Tests.Listeners;
using Gateway.Tests.Protocols;

namespace Gateway.Tests.Interception.Certificates;

/// <summary>
/// Real TLS on loopback: an <see cref="SslStream"/> server presenting the cache's context for the
/// client's SNI, and clients (SslStream, openssl s_client) that trust the interception CA and nothing else.
/// </summary>
public sealed class LeafHandshakeTests : IAsyncLifetime
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    private readonly string _stateDir = Directory.CreateTempSubdirectory("gw-tls-").FullName;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private CertificateAuthority _ca = null!;
    private LeafCertificateCache _cache = null!;
    private Task _server = Task.CompletedTask;

    private int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Task InitializeAsync()
    {
        _ca = CertificateAuthority.LoadOrCreate(_stateDir, TimeProvider.System);
        _cache = new LeafCertificateCache(_ca, TimeProvider.System);
        _listener.Start();
        _server = ServeAsync();
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData("api.example.test")]
    [InlineData("127.0.0.1")]
    public async Task SslStreamClient_TrustingOnlyTheCa_CompletesTheHandshake(string host)
    {
        await HandshakeAsync(host, _ca.PublicCertificate);

        Assert.Equal(1, _cache.Mints);
    }

    [Fact]
    public async Task RepeatedHandshakes_ReuseTheCachedLeaf()
    {
        for (int i = 0; i < 20; i++)
        {
            await HandshakeAsync("api.example.test", _ca.PublicCertificate);
        }

        Assert.Equal(1, _cache.Mints);
    }

    [Fact]
    public async Task ClientTrustingAnotherCa_RejectsTheLeaf()
    {
        string otherState = Directory.CreateTempSubdirectory("gw-tls-other-").FullName;
        using CertificateAuthority other = CertificateAuthority.LoadOrCreate(otherState, TimeProvider.System);
        try
        {
            await Assert.ThrowsAsync<AuthenticationException>(() => HandshakeAsync("api.example.test", other.PublicCertificate));
        }
        finally
        {
            Directory.Delete(otherState, recursive: true);
        }
    }

    [Fact]
    public async Task AfterReplace_TheHandshakeChainsToTheNewCa()
    {
        await HandshakeAsync("api.example.test", _ca.PublicCertificate);
        using CertificateAuthority rotated = CertificateAuthority.Rotate(_stateDir, TimeProvider.System);

        _cache.Replace(rotated);

        await HandshakeAsync("api.example.test", rotated.PublicCertificate);
        await Assert.ThrowsAsync<AuthenticationException>(() => HandshakeAsync("api.example.test", _ca.PublicCertificate));
    }

    [OpenSslTheory]
    [InlineData("api.example.test", "-verify_hostname")]
    [InlineData("127.0.0.1", "-verify_ip")]
    public async Task OpenSslClient_VerifiesTheChainAndTheName(string host, string verifyName)
    {
        string caFile = Path.Combine(_stateDir, "ca", CertificateAuthority.CertificateFileName);
        var args = new List<string>
        {
            "s_client", "-connect", $"127.0.0.1:{Port}", "-verify_return_error", "-no-CApath", "-no-CAstore",
            "-CAfile", caFile, verifyName, host,
        };
        if (verifyName == "-verify_hostname")
        {
            args.AddRange(["-servername", host]);
        }

        (int exit, string stdout, string stderr) = await ProcessRunner.RunAsync(OpenSslFactAttribute.Path!, args);

        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("Verify return code: 0 (ok)", stdout, StringComparison.Ordinal);
        Assert.Contains("Egress Gateway Local Interception CA", stdout, StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _server.WaitAsync(s_timeout);
        _cache.Dispose();
        _ca.Dispose();
        _stop.Dispose();
        Directory.Delete(_stateDir, recursive: true);
    }

    private async Task HandshakeAsync(string host, X509Certificate2 trusted)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port).WaitAsync(s_timeout);
        await using var tls = new SslStream(client.GetStream());
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(trusted);
        using var timeout = new CancellationTokenSource(s_timeout);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = host, CertificateChainPolicy = policy }, timeout.Token);
        Assert.True(tls.IsAuthenticated);
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ServeOneAsync(socket);
        }
    }

    // SNI picks the leaf, as the interception path does; a client without SNI (IP literal) gets 127.0.0.1's.
    private async Task ServeOneAsync(Socket socket)
    {
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(s_timeout);
        try
        {
            await tls.AuthenticateAsServerAsync(
                static (_, hello, state, _) => ValueTask.FromResult(new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = ((LeafCertificateCache)state!).GetContext(string.IsNullOrEmpty(hello.ServerName) ? "127.0.0.1" : hello.ServerName),
                }),
                _cache,
                timeout.Token);
            _ = await tls.ReadAsync(new byte[1], timeout.Token); // until the client leaves
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            // A client that rejects the leaf aborts the handshake: what the rejection tests expect.
        }
    }
}
