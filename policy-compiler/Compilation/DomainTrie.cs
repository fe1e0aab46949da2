using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using System.Text;

namespace PolicyCompiler.Compilation;

/// <summary>
/// A reversed-label trie in flat arrays: "api.example.com" is the path com → example → api.
/// Children are found through one open-addressing table keyed by (parent, label), so a
/// lookup costs one hash and usually one probe per label, whatever the number of rules.
/// Label bytes live in one blob; nodes and slots are structs in arrays (no pointers to chase).
/// </summary>
internal sealed class DomainTrie
{
    public const int Root = 0;

    private readonly Node[] _nodes;
    private readonly Slot[] _slots;
    private readonly byte[] _labels;
    private readonly int _mask;
    private readonly ulong _seed;
    private readonly ulong _rootKey;

    private DomainTrie(Node[] nodes, Slot[] slots, byte[] labels, ulong seed, ulong rootKey)
    {
        _rootKey = rootKey;
        _nodes = nodes;
        _slots = slots;
        _labels = labels;
        _mask = slots.Length - 1;
        _seed = seed;
    }

    public int NodeCount => _nodes.Length;

    /// <summary>A node by index: <see cref="Root"/> or a <see cref="FindChild(int, ulong, ulong, ref byte, int)"/> result, both in range, so unchecked.</summary>
    public ref readonly Node this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            Debug.Assert((uint)index < (uint)_nodes.Length);
            return ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_nodes), index);
        }
    }

    /// <summary>
    /// How many readable bytes a label passed to <see cref="FindChild(int, ulong, ulong, ref byte, int)"/> must have after it:
    /// the hash and the compare read whole 8-byte words and mask off what lies past the label.
    /// </summary>
    public const int LabelPadding = 8;

    /// <summary>The key of <see cref="Root"/>, where <see cref="ChildKey"/> chains start.</summary>
    public ulong RootKey => _rootKey;

    /// <summary>
    /// The key of a node: its parent's key and its label's hash (<see cref="LabelHash(ref byte, int)"/>),
    /// combined by an add and a rotate. Only this step depends on the parent, so the hash of
    /// every label of a host can be computed ahead of (and overlapped with) the probes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ChildKey(ulong parentKey, ulong labelHash) => labelHash + BitOperations.RotateLeft(parentKey, 23);

    /// <summary>
    /// The child of <paramref name="parent"/> whose key is <paramref name="key"/> and whose
    /// label is the <paramref name="length"/> (1–63) bytes at <paramref name="label"/>,
    /// followed by <see cref="LabelPadding"/> readable bytes: its node id with the
    /// <see cref="HasExact"/>/<see cref="HasWild"/> flags (see <see cref="NodeOf"/>), or 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint FindChild(int parent, ulong key, ref byte label, int length) => FindChild(parent, key, Head(ref label, length), ref label, length);

    /// <summary>As <see cref="FindChild(int, ulong, ref byte, int)"/>, given the label's <see cref="Head"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint FindChild(int parent, ulong key, ulong head, ref byte label, int length)
    {
        Debug.Assert(length is > 0 and <= MaxLabelLength);
        uint parentLength = (uint)parent | ((uint)length << LengthShift);
        int mask = _mask;
        int index = (int)key & mask;

        // index is masked by _slots.Length - 1 (a power of two), so no bounds check. A slot
        // holds its label's length and first 8 bytes, so a label of up to 8 bytes is settled
        // by the slot alone; an empty slot never matches (its length is 0).
        ref Slot slots = ref MemoryMarshal.GetArrayDataReference(_slots);
        while (true)
        {
            ref Slot slot = ref Unsafe.Add(ref slots, index);
            if (slot.Head == head && slot.ParentLength == parentLength
                && (length <= 8 || TailEquals(slot.NodeFlags & NodeMask, ref label, length)))
            {
                return slot.NodeFlags;
            }

            if (slot.NodeFlags == 0)
            {
                return 0;
            }

            index = (index + 1) & mask;
        }
    }

    /// <summary>The node id in a <see cref="FindChild(int, ulong, ulong, ref byte, int)"/> result.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int NodeOf(uint found) => (int)(found & NodeMask);

    // Labels over 8 bytes: the rest (bytes 8 on) against the blob.
    private bool TailEquals(uint node, ref byte label, int length)
    {
        ref Node n = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_nodes), (int)node);
        return LabelEquals(
            ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_labels), n.LabelStart + 8), ref Unsafe.Add(ref label, 8), length - 8);
    }

    // The low min(length, 8) bytes of a little-endian word.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong HeadMask(int length) => ulong.MaxValue >> (Math.Max(8 - length, 0) * 8);

    /// <summary>The keyed hash of the <paramref name="length"/> (1–63) bytes at <paramref name="label"/>, followed by <see cref="LabelPadding"/> readable bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong LabelHash(ref byte label, int length) => Hash(ref label, length, _seed);

    /// <summary>
    /// As <see cref="LabelHash(ref byte, int)"/>, given the label's <see cref="Head"/>: a label of
    /// up to 8 bytes is hashed from it, so the probe and the hash share one read of the label.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong LabelHash(ulong head, ref byte label, int length) =>
        length <= 8 ? FoldedMultiply(_seed ^ (ulong)length ^ head, HashTailFactor) : Hash(ref label, length, _seed);

    /// <summary>The first min(<paramref name="length"/>, 8) bytes of a label (followed by <see cref="LabelPadding"/> readable bytes) as a word, zero above.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Head(ref byte label, int length) => Unsafe.ReadUnaligned<ulong>(ref label) & HeadMask(length);

    // Both labels are followed by LabelPadding readable bytes: compare 8 bytes at a time and
    // mask the last word to the label.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool LabelEquals(ref byte a, ref byte b, int length)
    {
        int i = 0;
        for (; length - i > 8; i += 8)
        {
            if (Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref a, i)) != Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, i)))
            {
                return false;
            }
        }

        ulong diff = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref a, i)) ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, i));
        return (diff & TailMask(length - i)) == 0;
    }

    // The low `rest` (1–8) bytes of a little-endian word.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong TailMask(int rest) => ulong.MaxValue >> ((8 - rest) * 8);

    // A keyed hash: the seed is random per build, so names an attacker sends cannot be
    // chosen to collide into long probe chains (the parent's key, itself built from keyed
    // hashes, is added by ChildKey). Each 8-byte word is mixed in by a folded multiply (the
    // high and low halves of the 128-bit product xored, as foldhash and wyhash do): one
    // multiply per word, well mixed in the low bits that pick the slot. The label
    // (length > 0) is followed by LabelPadding readable bytes, so its last 1–8 bytes are one
    // read, masked.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Hash(ref byte label, int length, ulong seed)
    {
        const ulong K1 = 0x9E3779B97F4A7C15;
        ulong h = seed ^ (ulong)length;
        int i = 0;
        for (; length - i > 8; i += 8)
        {
            h = FoldedMultiply(h ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref label, i)), K1);
        }

        ulong tail = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref label, i)) & TailMask(length - i);
        return FoldedMultiply(h ^ tail, HashTailFactor);
    }

    private const ulong HashTailFactor = 0xC2B2AE3D27D4EB4F;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong FoldedMultiply(ulong a, ulong b)
    {
        // The UInt128 form keeps both halves in registers; the `out` overload spills the low
        // half to the stack and reloads it, on the hash's critical path.
        if (Bmi2.X64.IsSupported)
        {
            // The high half alone (mulx) and the low half by a plain multiply, side by side.
            return Bmi2.X64.MultiplyNoFlags(a, b) ^ (a * b);
        }

        UInt128 product = Math.BigMul(a, b);
        return (ulong)(product >> 64) ^ (ulong)product;
    }

    /// <summary>A trie node: its label and the rule matches attached to it.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Node
    {
        public int LabelStart;
        public int LabelLength;

        /// <summary>Matches of exact patterns: the host is this node's name.</summary>
        public int ExactStart;
        public int ExactCount;

        /// <summary>Matches of wildcard patterns: the host is strictly below this node (for the root: "**").</summary>
        public int WildStart;
        public int WildCount;
    }

    /// <summary>Set in a <see cref="FindChild(int, ulong, ulong, ref byte, int)"/> result when the node has exact matches.</summary>
    public const uint HasExact = 1u << 31;

    /// <summary>Set in a <see cref="FindChild(int, ulong, ulong, ref byte, int)"/> result when the node has wildcard matches.</summary>
    public const uint HasWild = 1u << 30;

    private const uint NodeMask = HasWild - 1;
    private const int LengthShift = 26;
    private const int MaxLabelLength = 63;

    /// <summary>Node ids must fit below <see cref="LengthShift"/> bits, next to the label length.</summary>
    internal const int MaxNodes = 1 << LengthShift;

    // 16 bytes: everything a lookup needs to settle a label of up to 8 bytes and to know
    // whether the node has matches, so a hit reads the node only to offer them.
    private struct Slot
    {
        /// <summary>The label's first min(length, 8) bytes, zero above.</summary>
        public ulong Head;

        /// <summary>The parent's node id, with the label length in the top 6 bits.</summary>
        public uint ParentLength;

        /// <summary>The node id with <see cref="HasExact"/>/<see cref="HasWild"/>; 0 for an empty slot.</summary>
        public uint NodeFlags;
    }

    /// <summary>Builds a trie; single-threaded, used once per snapshot.</summary>
    internal sealed class Builder
    {
        private readonly Dictionary<(int Parent, string Label), int> _children = [];
        private readonly List<string> _labels = [string.Empty];
        private readonly List<int> _parents = [-1];
        private readonly List<List<RuleMatch>?> _exact = [null];
        private readonly List<List<RuleMatch>?> _wild = [null];

        /// <summary>The node for a canonical name, created with its ancestors if needed.</summary>
        public int GetOrAdd(string name)
        {
            int node = Root;
            int end = name.Length;
            while (end > 0)
            {
                int dot = name.LastIndexOf('.', end - 1);
                string label = name[(dot + 1)..end];
                if (!_children.TryGetValue((node, label), out int child))
                {
                    child = _labels.Count;
                    _labels.Add(label);
                    _parents.Add(node);
                    _exact.Add(null);
                    _wild.Add(null);
                    _children.Add((node, label), child);
                }

                node = child;
                end = dot < 0 ? 0 : dot;
            }

            return node;
        }

        public void AddExact(int node, RuleMatch match) => (_exact[node] ??= []).Add(match);

        public void AddWildcard(int node, RuleMatch match) => (_wild[node] ??= []).Add(match);

        /// <summary>Freezes the trie; match lists are appended to <paramref name="matches"/>, ordered by <paramref name="order"/>.</summary>
        public DomainTrie Build(List<RuleMatch> matches, Comparison<RuleMatch> order)
        {
            int count = _labels.Count;
            if (count > MaxNodes)
            {
                throw new InvalidOperationException($"the policy needs {count:N0} trie nodes; at most {MaxNodes:N0} are supported");
            }

            var nodes = new Node[count];
            var blob = new List<byte>();
            for (int i = 0; i < count; i++)
            {
                byte[] label = Encoding.ASCII.GetBytes(_labels[i]);
                nodes[i].LabelStart = blob.Count;
                nodes[i].LabelLength = label.Length;
                blob.AddRange(label);
                (nodes[i].ExactStart, nodes[i].ExactCount) = Append(_exact[i], matches, order);
                (nodes[i].WildStart, nodes[i].WildCount) = Append(_wild[i], matches, order);
            }

            blob.AddRange(new byte[LabelPadding]);
            byte[] labels = [.. blob];
            int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, count * 2));
            var slots = new Slot[size];
            byte[] random = RandomNumberGenerator.GetBytes(16);
            ulong seed = BitConverter.ToUInt64(random, 0);
            ulong rootKey = BitConverter.ToUInt64(random, 8);

            // A node is always added after its parent, so the parent's key is known by then.
            var keys = new ulong[count];
            keys[Root] = rootKey;
            for (int i = 1; i < count; i++)
            {
                int length = nodes[i].LabelLength;
                if (length is 0 or > MaxLabelLength)
                {
                    // No canonical host has such a label, so no lookup could reach this node
                    // (or anything under it): it needs no slot.
                    continue;
                }

                ulong key = ChildKey(keys[_parents[i]], Hash(ref labels[nodes[i].LabelStart], length, seed));
                keys[i] = key;
                int index = (int)key & (size - 1);
                while (slots[index].NodeFlags != 0)
                {
                    index = (index + 1) & (size - 1);
                }

                slots[index] = new Slot
                {
                    Head = BitConverter.ToUInt64(labels, nodes[i].LabelStart) & HeadMask(length),
                    ParentLength = (uint)_parents[i] | ((uint)length << LengthShift),
                    NodeFlags = (uint)i | (nodes[i].ExactCount > 0 ? HasExact : 0) | (nodes[i].WildCount > 0 ? HasWild : 0),
                };
            }

            return new DomainTrie(nodes, slots, labels, seed, rootKey);
        }

        internal static (int Start, int Count) Append(List<RuleMatch>? list, List<RuleMatch> matches, Comparison<RuleMatch> order)
        {
            if (list is null)
            {
                return (0, 0);
            }

            list.Sort(order);
            int start = matches.Count;
            matches.AddRange(list);
            return (start, list.Count);
        }
    }
}
