using System.Buffers;

namespace Benchmarks;

/// <summary>Builds multi-segment <see cref="ReadOnlySequence{T}"/>s for benchmarks of readers over pipe buffers.</summary>
internal sealed class BenchmarkSegment : ReadOnlySequenceSegment<byte>
{
    private BenchmarkSegment(byte[] bytes, long runningIndex)
    {
        Memory = bytes;
        RunningIndex = runningIndex;
    }

    /// <summary><paramref name="bytes"/> cut after each of <paramref name="cuts"/> (ascending offsets), each part in its own array.</summary>
    public static ReadOnlySequence<byte> Create(byte[] bytes, params int[] cuts)
    {
        var first = new BenchmarkSegment(bytes[..(cuts.Length == 0 ? bytes.Length : cuts[0])], 0);
        BenchmarkSegment last = first;
        for (int i = 0; i < cuts.Length; i++)
        {
            int end = i + 1 < cuts.Length ? cuts[i + 1] : bytes.Length;
            var next = new BenchmarkSegment(bytes[cuts[i]..end], last.RunningIndex + last.Memory.Length);
            last.Next = next;
            last = next;
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary><paramref name="bytes"/> in segments of <paramref name="size"/> bytes.</summary>
    public static ReadOnlySequence<byte> Chunked(byte[] bytes, int size) =>
        Create(bytes, [.. Enumerable.Range(1, (bytes.Length - 1) / size).Select(i => i * size)]);
}
