using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PolicyCompiler.Hosts;
using PolicyCompiler.Kits;
using PolicyCompiler.Patterns;
using PolicyCompiler.Rules;

namespace PolicyCompiler.Compilation;

/// <summary>
/// An immutable, compiled policy: every rule of the global policy and of the known kits in
/// one reversed-label trie plus an address table. <see cref="Decide(ReadOnlySpan{byte}, int, KitSet)"/>
/// answers without allocating and is safe to call from any number of threads; a policy
/// change builds a new snapshot and swaps one reference.
/// </summary>
public sealed class PolicySnapshot
{
    private readonly PolicyRule[] _rules;
    private readonly RulePattern[] _patterns;
    private readonly RuleMatch[] _matches;
    private readonly Decision[] _decisions;
    private readonly DomainTrie _trie;
    private readonly FrozenDictionary<UInt128, (int Start, int Count)> _addresses;
    private readonly FrozenDictionary<string, int> _kitIndices;
    private readonly FrozenDictionary<string, int> _sandboxIndices;

    // The root's "**" list, copied out of the trie so a decision does not read the root node.
    private readonly int _rootWildStart;
    private readonly int _rootWildCount;

    internal PolicySnapshot(
        PolicyRule[] rules,
        RulePattern[] patterns,
        RuleMatch[] matches,
        DomainTrie trie,
        FrozenDictionary<UInt128, (int Start, int Count)> addresses,
        ImmutableArray<string> kits,
        ImmutableArray<string> sandboxes)
    {
        _rules = rules;
        _patterns = patterns;
        _matches = matches;

        // The decision each match gives when it decides, made once: returning one is a copy.
        _decisions = new Decision[matches.Length];
        for (int i = 0; i < matches.Length; i++)
        {
            var matched = new MatchedRule(rules[matches[i].RuleIndex], patterns[matches[i].PatternIndex]);
            _decisions[i] = matches[i].IsDeny
                ? new Decision(DecisionVerdict.Blocked, DecisionReason.DenyRule, matched, HostError.None)
                : new Decision(DecisionVerdict.Allowed, DecisionReason.AllowRule, matched, HostError.None);
        }
        _trie = trie;
        _rootWildStart = trie[DomainTrie.Root].WildStart;
        _rootWildCount = trie[DomainTrie.Root].WildCount;
        _addresses = addresses;
        Kits = kits;
        var indices = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < kits.Length; i++)
        {
            indices[kits[i]] = i;
        }

        _kitIndices = indices.ToFrozenDictionary(StringComparer.Ordinal);
        var scoped = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < sandboxes.Length; i++)
        {
            scoped[sandboxes[i]] = i;
        }

        _sandboxIndices = scoped.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Every rule, global ones first, in the order they were given.</summary>
    public IReadOnlyList<PolicyRule> Rules => _rules;

    /// <summary>The kits this snapshot knows, by index.</summary>
    public ImmutableArray<string> Kits { get; }

    /// <summary>
    /// The SOCKS5 proxy of the first of <paramref name="kits"/> (a sandbox's kit names, in its
    /// order) that declares <c>network.proxy</c>, or null when none does. Kept in the snapshot so
    /// that a reload swaps rules and routes together.
    /// </summary>
    public KitProxy? ProxyFor(ImmutableArray<string> kits)
    {
        foreach (string kit in kits)
        {
            if (_kitIndices.TryGetValue(kit, out int index) && index < KitProxies.Length && KitProxies[index] is { } proxy)
            {
                return proxy;
            }
        }

        return null;
    }

    /// <summary>Each kit's <c>network.proxy</c> by kit index; set by <see cref="SnapshotCompiler"/>.</summary>
    internal KitProxy?[] KitProxies { get; init; } = [];

    /// <summary>Number of trie nodes (for diagnostics and benchmarks).</summary>
    public int NodeCount => _trie.NodeCount;

    /// <summary>The index of a kit for <see cref="KitSet.With(int)"/>.</summary>
    public bool TryGetKitIndex(string kit, out int index) => _kitIndices.TryGetValue(kit, out index);

    /// <summary>
    /// The scope index of a sandbox for <see cref="KitSet.WithSandbox(int)"/>; false when no rule
    /// of this snapshot is scoped to it (only global and kit rules apply then).
    /// </summary>
    public bool TryGetSandboxIndex(string sandbox, out int index) => _sandboxIndices.TryGetValue(sandbox, out index);

    /// <summary>
    /// The earliest <see cref="PolicyRule.ExpiresAt"/> of the rules compiled in, or null. The
    /// snapshot decides as if every rule were live: its holder swaps in a snapshot compiled
    /// without the rule at that time (the decision never reads a clock).
    /// </summary>
    public DateTimeOffset? NextExpiry { get; init; }

    /// <summary>Decides a host as it came off the wire (UTF-8 bytes) on a port for a sandbox's kits.</summary>
    public Decision Decide(ReadOnlySpan<byte> host, int port, KitSet kits)
    {
        Span<byte> name = stackalloc byte[HostCanonicalizer.PlainNameBufferSize];
        return HostCanonicalizer.TryScanPlainName(host, name, out int length, out ulong dots)
            ? DecideName(ref MemoryMarshal.GetReference(name), length, dots, port, kits)
            : DecideOther(host, port, kits);
    }

    /// <summary>Decides a host given as text.</summary>
    public Decision Decide(ReadOnlySpan<char> host, int port, KitSet kits)
    {
        Span<byte> name = stackalloc byte[HostCanonicalizer.PlainNameBufferSize];
        return HostCanonicalizer.TryScanPlainName(host, name, out int length, out ulong dots)
            ? DecideName(ref MemoryMarshal.GetReference(name), length, dots, port, kits)
            : DecideOther(host, port, kits);
    }

    // Everything the plain-name scan did not take (long names, IP literals, IDN, invalid
    // hosts): the full canonicaliser, then the same walk over the dots it found.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Decision DecideOther(ReadOnlySpan<byte> host, int port, KitSet kits)
    {
        Span<byte> name = stackalloc byte[HostCanonicalizer.BufferSize + DomainTrie.LabelPadding];
        Span<byte> dots = stackalloc byte[HostCanonicalizer.MaxDots];
        HostError error = HostCanonicalizer.TryCanonicalize(
            host, name, dots, out int length, out int dotCount, out HostKind kind, out UInt128 address);
        return Decide(error, name, length, dots[..dotCount], kind, address, port, kits);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Decision DecideOther(ReadOnlySpan<char> host, int port, KitSet kits)
    {
        Span<byte> name = stackalloc byte[HostCanonicalizer.BufferSize + DomainTrie.LabelPadding];
        Span<byte> dots = stackalloc byte[HostCanonicalizer.MaxDots];
        HostError error = HostCanonicalizer.TryCanonicalize(
            host, name, dots, out int length, out int dotCount, out HostKind kind, out UInt128 address);
        return Decide(error, name, length, dots[..dotCount], kind, address, port, kits);
    }

    /// <summary>Every rule pattern that applies to the host, in matching order (shallow to deep). Allocates; for `explain`.</summary>
    public IReadOnlyList<PolicyMatch> Explain(ReadOnlySpan<char> host, int port, KitSet kits)
    {
        Span<byte> name = stackalloc byte[HostCanonicalizer.BufferSize + DomainTrie.LabelPadding];
        Span<byte> dots = stackalloc byte[HostCanonicalizer.MaxDots];
        HostError error = HostCanonicalizer.TryCanonicalize(
            host, name, dots, out int length, out int dotCount, out HostKind kind, out UInt128 address);
        var sink = new CollectingSink(this, port, kits);
        if (error == HostError.None && port is > 0 and <= 65535)
        {
            Walk(name, length, dots[..dotCount], kind, address, ref sink);
        }

        return sink.Matches;
    }

    private Decision Decide(
        HostError error, Span<byte> name, int length, ReadOnlySpan<byte> dots, HostKind kind, UInt128 address, int port, KitSet kits)
    {
        if (error != HostError.None)
        {
            return new Decision(DecisionVerdict.Blocked, DecisionReason.InvalidHost, null, error);
        }

        if (port is < 1 or > 65535)
        {
            return InvalidPort();
        }

        var sink = new BestSink(_matches, port, kits);
        Walk(name, length, dots, kind, address, ref sink);
        return Result(in sink);
    }

    // The fast path: a plain name of at most 63 bytes in a padded buffer, its dots as bits.
    // The best deny and allow live in locals (registers), not in a sink struct on the stack.
    // Not inlined into Decide: apart from the scan, the walk gets the registers to itself.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Decision DecideName(ref byte name, int length, ulong dots, int port, KitSet kits)
    {
        if (port is < 1 or > 65535)
        {
            return InvalidPort();
        }

        ref RuleMatch matches = ref MemoryMarshal.GetArrayDataReference(_matches);
        ulong kitBits = kits.Bits;
        int sandbox = kits.SandboxCode;
        (int deny, int allow) = FirstApplicable(ref matches, _rootWildStart, _rootWildCount, port, kitBits, sandbox);

        // Proper suffixes right to left, each label starting after the highest dot left; the
        // slot's flags say whether a node has a wildcard list, and only then is the node read.
        DomainTrie trie = _trie;
        int node = DomainTrie.Root;
        ulong key = trie.RootKey;
        int end = length;
        uint child;
        while (dots != 0)
        {
            int start = 64 - BitOperations.LeadingZeroCount(dots);
            ref byte label = ref Unsafe.Add(ref name, start);
            ulong head = DomainTrie.Head(ref label, end - start);
            key = DomainTrie.ChildKey(key, trie.LabelHash(head, ref label, end - start));
            child = trie.FindChild(node, key, head, ref label, end - start);
            if (child == 0)
            {
                return Result(deny, allow);
            }

            node = DomainTrie.NodeOf(child);
            if ((child & DomainTrie.HasWild) != 0)
            {
                ref readonly DomainTrie.Node n = ref trie[node];
                (int d, int a) = FirstApplicable(ref matches, n.WildStart, n.WildCount, port, kitBits, sandbox);
                deny = d >= 0 ? d : deny;
                allow = a >= 0 ? a : allow;
            }

            end = start - 1;
            dots ^= 1UL << end;
        }

        // The first label: the whole name, its exact list.
        ulong first = DomainTrie.Head(ref name, end);
        key = DomainTrie.ChildKey(key, trie.LabelHash(first, ref name, end));
        child = trie.FindChild(node, key, first, ref name, end);
        if ((child & DomainTrie.HasExact) != 0)
        {
            ref readonly DomainTrie.Node n = ref trie[DomainTrie.NodeOf(child)];
            (int d, int a) = FirstApplicable(ref matches, n.ExactStart, n.ExactCount, port, kitBits, sandbox);
            deny = d >= 0 ? d : deny;
            allow = a >= 0 ? a : allow;
        }

        return Result(deny, allow);
    }

    // The first applicable deny and allow of the list at matches[start..start+count] (a range
    // the builder made, so unchecked), -1 for none. Read backwards so the last one kept is the first.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (int Deny, int Allow) FirstApplicable(ref RuleMatch matches, int start, int count, int port, ulong kits, int sandbox)
    {
        int deny = -1;
        int allow = -1;
        for (int i = start + count - 1; i >= start; i--)
        {
            ref readonly RuleMatch match = ref Unsafe.Add(ref matches, i);
            if (match.Applies(port, kits, sandbox))
            {
                if (match.IsDeny)
                {
                    deny = i;
                }
                else
                {
                    allow = i;
                }
            }
        }

        return (deny, allow);
    }

    private Decision Result(int deny, int allow)
    {
        int decisive = deny >= 0 ? deny : allow;
        return decisive >= 0
            ? _decisions[decisive]
            : new Decision(DecisionVerdict.Blocked, DecisionReason.NoMatchingRule, null, HostError.None);
    }

    private Decision Result(in BestSink sink) => Result(sink.Deny, sink.Allow);

    private static Decision InvalidPort() =>
        new(DecisionVerdict.Blocked, DecisionReason.InvalidPort, null, HostError.None);

    // Visits the match lists that apply to the host, shallow to deep: "**" first, then the
    // wildcard list of every proper suffix, then the exact list of the name itself. Labels are
    // cut at the dots the canonicaliser found (right to left), so the name is not scanned again.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Walk<TSink>(Span<byte> name, int length, ReadOnlySpan<byte> dots, HostKind kind, UInt128 address, ref TSink sink)
        where TSink : struct, IMatchSink
    {
        ref readonly DomainTrie.Node root = ref _trie[DomainTrie.Root];
        sink.Offer(root.WildStart, root.WildCount);
        if (kind != HostKind.Name)
        {
            // A domain pattern never matches an IP literal.
            if (_addresses.TryGetValue(address, out (int Start, int Count) entry))
            {
                sink.Offer(entry.Start, entry.Count);
            }

            return;
        }

        // name is padded (LabelPadding past its longest name) for FindChild's whole-word reads.
        int node = DomainTrie.Root;
        ulong key = _trie.RootKey;
        int end = length;
        for (int k = dots.Length - 1; ; k--)
        {
            int start = k >= 0 ? dots[k] + 1 : 0;
            key = DomainTrie.ChildKey(key, _trie.LabelHash(ref name[start], end - start));
            uint child = _trie.FindChild(node, key, ref name[start], end - start);
            if (child == 0)
            {
                return;
            }

            node = DomainTrie.NodeOf(child);
            ref readonly DomainTrie.Node n = ref _trie[node];
            if (k < 0)
            {
                sink.Offer(n.ExactStart, n.ExactCount);
                return;
            }

            sink.Offer(n.WildStart, n.WildCount);
            end = start - 1;
        }
    }

    private interface IMatchSink
    {
        void Offer(int start, int count);
    }

    // Keeps the first applicable deny and allow of each list; deeper lists overwrite
    // shallower ones, so the most specific rule is the one reported (as the fast path does).
    private struct BestSink(RuleMatch[] matches, int port, KitSet kits) : IMatchSink
    {
        public int Deny = -1;
        public int Allow = -1;

        public void Offer(int start, int count)
        {
            Debug.Assert((uint)start <= (uint)matches.Length && (uint)count <= (uint)(matches.Length - start));
            (int deny, int allow) = FirstApplicable(ref MemoryMarshal.GetArrayDataReference(matches), start, count, port, kits.Bits, kits.SandboxCode);
            Deny = deny >= 0 ? deny : Deny;
            Allow = allow >= 0 ? allow : Allow;
        }
    }

    private struct CollectingSink(PolicySnapshot snapshot, int port, KitSet kits) : IMatchSink
    {
        public List<PolicyMatch> Matches { get; } = [];

        public readonly void Offer(int start, int count)
        {
            for (int i = start; i < start + count; i++)
            {
                ref readonly RuleMatch match = ref snapshot._matches[i];
                if (match.Applies(port, kits))
                {
                    Matches.Add(new PolicyMatch(snapshot._rules[match.RuleIndex], snapshot._patterns[match.PatternIndex]));
                }
            }
        }
    }
}
