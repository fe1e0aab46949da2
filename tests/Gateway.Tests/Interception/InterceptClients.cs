using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Tests.Interception;

/// <summary>.NET clients through the forward proxy that trust only the gateway's interception CA (what a sandbox is given).</summary>
internal static class InterceptClients
{
    public static SocketsHttpHandler Handler(InterceptedGateway env)
    {
        X509Certificate2 gatewayCa = X509CertificateLoader.LoadCertificateFromFile(env.GatewayCaPath);
        return new SocketsHttpHandler
        {
            Proxy = new WebProxy(env.Gateway.ProxyUrl),
            UseProxy = true,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                    {
                        return false;
                    }

                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(gatewayCa);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(new X509Certificate2(certificate));
                },
            },
        };
    }
}
