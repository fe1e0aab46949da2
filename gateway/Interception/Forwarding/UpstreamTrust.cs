using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Gateway.Configuration;

namespace Gateway.Interception.Forwarding;

/// <summary>
/// Verifies an upstream's certificate for an intercepted request: the system store, and when
/// that fails only because the chain ends elsewhere, the roots of <c>trust.extraRootCAs</c>. A
/// name mismatch is never forgiven: the credential must reach the host it is bound to.
/// </summary>
internal sealed class UpstreamTrust : IDisposable
{
    private readonly X509Certificate2Collection _extraRoots = [];

    public UpstreamTrust(TrustConfig trust)
    {
        foreach (string path in trust.ExtraRootCAs)
        {
            _extraRoots.ImportFromPemFile(path);
        }
    }

    /// <summary>The <see cref="RemoteCertificateValidationCallback"/> of the upstream handler.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || _extraRoots.Count == 0 || certificate is null)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_extraRoots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        custom.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.1")); // id-kp-serverAuth
        if (chain is not null)
        {
            foreach (X509ChainElement element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var leaf = new X509Certificate2(certificate);
        return custom.Build(leaf);
    }

    public void Dispose()
    {
        foreach (X509Certificate2 root in _extraRoots)
        {
            root.Dispose();
        }
    }
}
