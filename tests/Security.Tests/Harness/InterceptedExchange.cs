using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Gateway.Tests.Listeners;

namespace Security.Tests.Harness;

/// <summary>
/// Raw bytes on an intercepted connection, for what no HTTP client sends: CONNECT to a host a
/// kit binds a credential to, a TLS handshake that trusts only the gateway's interception CA
/// (what a sandbox is given), the bytes as they are, then close_notify so the gateway's HTTP/1.1
/// stack sees the end of input, answers what it parsed and closes.
/// </summary>
internal static class InterceptedExchange
{
    /// <summary>Everything the gateway sent back inside TLS before closing (bounded by <paramref name="wait"/>).</summary>
    public static async Task<byte[]> SendAsync(int proxyPort, string host, int port, string gatewayCaPath, byte[] request, TimeSpan wait)
    {
        using RawClient client = await RawClient.ConnectAsync(proxyPort);
        await client.SendAsync($"CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n");
        (int status, string head, _) = await client.ReadResponseAsync();
        Assert.True(status == 200, head);

        using X509Certificate2 gatewayCa = X509CertificateLoader.LoadCertificateFromFile(gatewayCaPath);
        var trust = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        trust.CustomTrustStore.Add(gatewayCa);
        using var cts = new CancellationTokenSource(wait);
        await using var tls = new SslStream(new System.Net.Sockets.NetworkStream(client.Socket, ownsSocket: false));
        await tls.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions { TargetHost = host, CertificateChainPolicy = trust, ApplicationProtocols = [SslApplicationProtocol.Http11] },
            cts.Token);

        var received = new MemoryStream();
        try
        {
            await tls.WriteAsync(request, cts.Token);
            await tls.ShutdownAsync();
            byte[] buffer = new byte[16 * 1024];
            int n;
            while ((n = await tls.ReadAsync(buffer, cts.Token)) > 0)
            {
                received.Write(buffer, 0, n);
            }
        }
        catch (IOException)
        {
            // Reset or cut after a refusal: what arrived before it is the answer.
        }
        catch (AuthenticationException)
        {
            // A TLS alert after a refusal: the same.
        }

        return received.ToArray();
    }
}
