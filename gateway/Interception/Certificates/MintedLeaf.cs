using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Interception.Certificates;

/// <summary>A leaf certificate with the TLS context that serves it, and when the cache replaces it.</summary>
/// <param name="Certificate">The leaf, with the shared private key.</param>
/// <param name="Context">What <see cref="SslStream"/> presents; reused by every handshake for the host.</param>
/// <param name="RenewAt">From this instant the cache mints a new leaf instead.</param>
internal sealed record MintedLeaf(X509Certificate2 Certificate, SslStreamCertificateContext Context, DateTimeOffset RenewAt)
{
    /// <summary><see cref="RenewAt"/> in UTC ticks, for the cache's lock-free freshness check.</summary>
    public long RenewAtTicks { get; } = RenewAt.UtcTicks;
}
