using System.Buffers;

namespace Gateway.Tests.Protocols;

/// <summary>Builds multi-segment <see cref="ReadOnlySequence{T}"/>s, each segment in its own array.</summary>
internal sealed class TestSequenceSegment : ReadOnlySequenceSegment<byte>
{
    private TestSequenceSegment(ReadOnlySpan<byte> bytes, long runningIndex)
    {
        Memory = bytes.ToArray();
        RunningIndex = runningIndex;
    }

    /// <summary>One segment per part, in order; empty parts make empty segments.</summary>
    public static ReadOnlySequence<byte> Create(IReadOnlyList<byte[]> parts)
    {
        var first = new TestSequenceSegment(parts[0], 0);
        TestSequenceSegment last = first;
        for (int i = 1; i < parts.Count; i++)
        {
            var next = new TestSequenceSegment(parts[i], last.RunningIndex + last.Memory.Length);
            last.Next = next;
            last = next;
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Two segments: <paramref name="bytes"/> before and from <paramref name="at"/>.</summary>
    public static ReadOnlySequence<byte> Split(byte[] bytes, int at) => Create([bytes[..at], bytes[at..]]);

    /// <summary>One segment per byte.</summary>
    public static ReadOnlySequence<byte> ByteBySegment(byte[] bytes) =>
        Create([.. bytes.Select(b => new[] { b })]);
}
