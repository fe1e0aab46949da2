using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography;

namespace Gateway.Interception.Certificates;

/// <summary>
/// The TLS context presented for each intercepted host, minted on first use and reused by
/// every later handshake. From a host's second handshake on, a <see cref="LeafContextAnchor"/>
/// keeps the runtime's OpenSSL context of the leaf alive, so later handshakes build none and
/// clients resume their sessions (per host: the ticket key is the leaf's). Bounded: past <c>capacity</c> hosts the least recently
/// used tenth is dropped. A leaf is replaced well before it expires, and at once after
/// <see cref="Replace"/>. Concurrent first requests for one host mint once; the others wait
/// for that mint.
/// </summary>
internal sealed class LeafCertificateCache : IDisposable
{
    /// <summary>
    /// Leaves whose context is anchored at most: an anchor holds ~90 KB (the SSL_CTX and the
    /// waiting handshake's buffers; measured 89 KB of RSS per host over 1,000 hosts), so this bounds
    /// them to ~23 MB. Hosts past it still work, with a full handshake when their context was dropped.
    /// </summary>
    internal const int MaxAnchors = 256;

    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly ECDsa _leafKey = LeafCertificateIssuer.CreateLeafKey();
    private readonly Lock _evicting = new();
    private volatile LeafCertificateIssuer _issuer;
    private int _count;
    private int _anchors;
    private long _mints;

    /// <summary>A cache of leaves signed by <paramref name="authority"/>, at most <paramref name="capacity"/> hosts.</summary>
    public LeafCertificateCache(CertificateAuthority authority, TimeProvider time, int capacity = 4096)
    {
        ArgumentNullException.ThrowIfNull(authority);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _time = time;
        _capacity = capacity;
        _issuer = new LeafCertificateIssuer(authority, _leafKey);
    }

    /// <summary>The CA new leaves chain to: the one given at construction, or to the last <see cref="Replace"/>.</summary>
    public CertificateAuthority Authority => _issuer.Authority;

    /// <summary>Hosts cached now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Leaves minted since start (cold requests, renewals, re-mints after a rotation).</summary>
    public long Mints => Interlocked.Read(ref _mints);

    /// <summary>
    /// The context to present for <paramref name="host"/>: a canonical DNS name or an IP literal
    /// (IPv6 without brackets), exactly as decided. Thread-safe; the warm path allocates nothing.
    /// </summary>
    public SslStreamCertificateContext GetContext(string host)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        LeafCertificateIssuer issuer = _issuer;
        long now = _time.GetUtcNow().UtcTicks;
        if (_slots.TryGetValue(host, out Slot? slot) && slot.Issuer == issuer && slot.Leaf is { } leaf && now < leaf.RenewAtTicks)
        {
            slot.LastUsed = Stopwatch.GetTimestamp();
            if (!leaf.AnchorTried)
            {
                TryAnchor(leaf);
            }

            return leaf.Context;
        }

        return GetOrMint(host, issuer);
    }

    /// <summary>
    /// Switches to <paramref name="authority"/> (after `gateway ca rotate`): cached leaves are
    /// dropped, and every leaf from now on chains to the new CA. The cache does not own either CA.
    /// </summary>
    public void Replace(CertificateAuthority authority)
    {
        ArgumentNullException.ThrowIfNull(authority);
        var issuer = new LeafCertificateIssuer(authority, _leafKey);
        _issuer = issuer;
        foreach (KeyValuePair<string, Slot> pair in _slots)
        {
            if (pair.Value.Issuer != issuer)
            {
                Remove(pair);
            }
        }
    }

    /// <summary>Leaves anchored now (at most <see cref="MaxAnchors"/>).</summary>
    public int Anchors => Volatile.Read(ref _anchors);

    /// <summary>The leaf cached for <paramref name="host"/>, if any (for tests).</summary>
    internal MintedLeaf? LeafOf(string host) => _slots.TryGetValue(host, out Slot? slot) ? slot.Leaf : null;

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (KeyValuePair<string, Slot> pair in _slots)
        {
            Release(pair.Value.Leaf);
            pair.Value.Leaf?.Certificate.Dispose();
        }

        _slots.Clear();
        _leafKey.Dispose();
    }

    private SslStreamCertificateContext GetOrMint(string host, LeafCertificateIssuer issuer)
    {
        // Each pass returns, or loses a race to a thread that just changed the slot and retries with its result.
        while (true)
        {
            Slot slot;
            if (_slots.TryGetValue(host, out Slot? existing))
            {
                if (existing.Issuer == issuer && !existing.IsStale(_time.GetUtcNow().UtcTicks))
                {
                    slot = existing;
                }
                else
                {
                    slot = new Slot(host, issuer);
                    if (!_slots.TryUpdate(host, slot, existing))
                    {
                        continue;
                    }

                    Release(existing.Leaf);
                }
            }
            else
            {
                slot = new Slot(host, issuer);
                if (!_slots.TryAdd(host, slot))
                {
                    continue;
                }

                if (Interlocked.Increment(ref _count) > _capacity)
                {
                    Evict();
                }
            }

            try
            {
                return slot.GetOrMint(this).Context;
            }
            catch
            {
                // A mint failure is not cached: the next request for the host tries again.
                Remove(new KeyValuePair<string, Slot>(host, slot));
                throw;
            }
        }
    }

    private void Remove(KeyValuePair<string, Slot> pair)
    {
        if (_slots.TryRemove(pair))
        {
            Interlocked.Decrement(ref _count);
            Release(pair.Value.Leaf);
        }
    }

    // Takes an anchor slot, or leaves the leaf unanchored (and tries again on a later hit) when all are taken.
    private void TryAnchor(MintedLeaf leaf)
    {
        if (Interlocked.Increment(ref _anchors) > MaxAnchors || !leaf.Anchor())
        {
            Interlocked.Decrement(ref _anchors);
        }
    }

    private void Release(MintedLeaf? leaf)
    {
        if (leaf is not null && leaf.Release())
        {
            Interlocked.Decrement(ref _anchors);
        }
    }

    // Drops the least recently used tenth, so eviction runs once per capacity/10 new hosts, not per host.
    private void Evict()
    {
        if (!_evicting.TryEnter())
        {
            return;
        }

        try
        {
            int keep = _capacity - Math.Max(1, _capacity / 10);
            if (Volatile.Read(ref _count) <= _capacity)
            {
                return;
            }

            var candidates = new List<KeyValuePair<string, Slot>>(_capacity + 16);
            foreach (KeyValuePair<string, Slot> pair in _slots)
            {
                candidates.Add(pair);
            }

            candidates.Sort(static (a, b) => a.Value.LastUsed.CompareTo(b.Value.LastUsed));
            for (int i = 0; i < candidates.Count - keep; i++)
            {
                Remove(candidates[i]);
            }
        }
        finally
        {
            _evicting.Exit();
        }
    }

    private MintedLeaf Mint(string host, LeafCertificateIssuer issuer)
    {
        MintedLeaf leaf = issuer.Mint(host, _time.GetUtcNow());
        Interlocked.Increment(ref _mints);
        return leaf;
    }

    /// <summary>One host's entry; the leaf is null until the first request's mint completes.</summary>
    private sealed class Slot(string host, LeafCertificateIssuer issuer)
    {
        private readonly Lock _minting = new();
        private volatile MintedLeaf? _leaf;

        public LeafCertificateIssuer Issuer { get; } = issuer;

        public MintedLeaf? Leaf => _leaf;

        /// <summary>Stopwatch timestamp of the last hit, for least-recently-used eviction.</summary>
        public long LastUsed { get; set; } = Stopwatch.GetTimestamp();

        public bool IsStale(long nowTicks) => _leaf is { } leaf && nowTicks >= leaf.RenewAtTicks;

        public MintedLeaf GetOrMint(LeafCertificateCache cache)
        {
            if (_leaf is { } leaf)
            {
                return leaf;
            }

            lock (_minting)
            {
                return _leaf ??= cache.Mint(host, Issuer);
            }
        }
    }
}
