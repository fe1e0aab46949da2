using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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

    private DomainTrie(Node[] nodes, Slot[] slots, byte[] labels, ulong seed)
    {
        _nodes = nodes;
        _slots = slots;
        _labels = labels;
        _mask = slots.Length - 1;
        _seed = seed;
    }

    public int NodeCount => _nodes.Length;

    public ref readonly Node this[int index] => ref _nodes[index];

    /// <summary>The child of <paramref name="parent"/> labelled <paramref name="label"/>, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int FindChild(int parent, ReadOnlySpan<byte> label)
    {
        uint hash = Hash(label, parent, _seed);
        Slot[] slots = _slots;
        int mask = _mask;
        int index = (int)hash & mask;
        while (true)
        {
            ref readonly Slot slot = ref slots[index];
            if (slot.NodePlusOne == 0)
            {
                return -1;
            }

            if (slot.Hash == hash && slot.Parent == parent)
            {
                // Equal hashes almost always mean equal labels: compare the length (in the
                // node, already loaded) before touching the label blob.
                int node = slot.NodePlusOne - 1;
                ref readonly Node n = ref _nodes[node];
                if (n.LabelLength == label.Length && _labels.AsSpan(n.LabelStart, n.LabelLength).SequenceEqual(label))
                {
                    return node;
                }
            }

            index = (index + 1) & mask;
        }
    }

    // A keyed hash: the seed is random per build, so names an attacker sends cannot be
    // chosen to collide into long probe chains.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Hash(ReadOnlySpan<byte> label, int parent, ulong seed)
    {
        const ulong K1 = 0x9E3779B97F4A7C15;
        const ulong K2 = 0xC2B2AE3D27D4EB4F;
        ulong h = seed ^ ((ulong)(uint)parent * K1) ^ ((ulong)label.Length * K2);
        ref byte start = ref MemoryMarshal.GetReference(label);
        int i = 0;
        for (; i + 8 <= label.Length; i += 8)
        {
            h = BitOperations.RotateLeft((h ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i))) * K1, 31) * K2;
        }

        // The last 0–7 bytes in at most two overlapping reads rather than a byte loop; the
        // length is in the seed, so overlapping reads of different lengths stay distinct.
        int rest = label.Length - i;
        ulong tail = rest >= 4
            ? Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, i))
                | ((ulong)Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, label.Length - 4)) << 32)
            : rest > 0
                ? Unsafe.Add(ref start, i)
                    | ((ulong)Unsafe.Add(ref start, i + (rest >> 1)) << 8)
                    | ((ulong)Unsafe.Add(ref start, label.Length - 1) << 16)
                : 0;

        h = BitOperations.RotateLeft((h ^ tail) * K1, 31) * K2;
        h ^= h >> 33;
        h *= K1;
        h ^= h >> 29;
        return (uint)h;
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

    private struct Slot
    {
        public uint Hash;
        public int Parent;
        public int NodePlusOne;
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

            byte[] labels = [.. blob];
            int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, count * 2));
            var slots = new Slot[size];
            ulong seed = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
            for (int i = 1; i < count; i++)
            {
                uint hash = Hash(labels.AsSpan(nodes[i].LabelStart, nodes[i].LabelLength), _parents[i], seed);
                int index = (int)hash & (size - 1);
                while (slots[index].NodePlusOne != 0)
                {
                    index = (index + 1) & (size - 1);
                }

                slots[index] = new Slot { Hash = hash, Parent = _parents[i], NodePlusOne = i + 1 };
            }

            return new DomainTrie(nodes, slots, labels, seed);
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
