using Gateway.Interception.Tls;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Interception.Certificates;

/// <summary>A leaf certificate with the TLS context that serves it, and when the cache replaces it.</summary>
/// <param name="Certificate">The leaf, with the shared private key.</param>
/// <param name="Context">What <see cref="SslStream"/> presents; reused by every handshake for the host.</param>
/// <param name="RenewAt">From this instant the cache mints a new leaf instead.</param>
internal sealed record MintedLeaf(X509Certificate2 Certificate, SslStreamCertificateContext Context, DateTimeOffset RenewAt)
{
    private readonly Lock _anchoring = new();
    private volatile bool _anchorTried;
    private bool _released;
    private LeafContextAnchor? _anchor;

    /// <summary><see cref="RenewAt"/> in UTC ticks, for the cache's lock-free freshness check.</summary>
    public long RenewAtTicks { get; } = RenewAt.UtcTicks;

    /// <summary>True once <see cref="Anchor"/> ran (whether or not it could anchor).</summary>
    public bool AnchorTried => _anchorTried;

    /// <summary>True while a <see cref="LeafContextAnchor"/> holds this leaf's OpenSSL context.</summary>
    public bool Anchored
    {
        get
        {
            lock (_anchoring)
            {
                return _anchor is not null;
            }
        }
    }

    /// <summary>
    /// Anchors the leaf's context once (<see cref="LeafContextAnchor"/>); a released leaf is not
    /// anchored again. True when this call anchored it.
    /// </summary>
    public bool Anchor()
    {
        lock (_anchoring)
        {
            if (_anchorTried)
            {
                return false;
            }

            _anchorTried = true;
            if (!_released)
            {
                _anchor = LeafContextAnchor.TryCreate(Context, TlsTermination.ApplicationProtocols);
            }

            return _anchor is not null;
        }
    }

    /// <summary>The cache dropped the leaf: its context may go once no connection uses it. True when it was anchored.</summary>
    public bool Release()
    {
        lock (_anchoring)
        {
            _released = true;
            _anchorTried = true;
            LeafContextAnchor? anchor = _anchor;
            _anchor = null;
            anchor?.Dispose();
            return anchor is not null;
        }
    }
}
