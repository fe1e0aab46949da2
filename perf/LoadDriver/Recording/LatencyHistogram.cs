using System.Numerics;

namespace LoadDriver.Recording;

/// <summary>
/// Records latencies in nanoseconds with HdrHistogram's log-linear bucketing: exact below
/// 1,024 ns, then 512 linear sub-buckets per power of two, so every recorded value is kept
/// within 0.2 % whatever its magnitude, in a fixed 128 KiB array and with no allocation per
/// value. One instance per worker; <see cref="Add"/> merges them when the run ends.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBucketBits = 10;
    private const int SubBucketCount = 1 << SubBucketBits;   // exact range: 0 .. 1023
    private const int HalfSubBucketCount = SubBucketCount / 2;
    private const int MaxExponent = 41;                      // 2^41 ns ≈ 36 minutes: beyond any bounded run

    private readonly long[] _counts = new long[(MaxExponent - SubBucketBits + 2) * HalfSubBucketCount];

    /// <summary>Values recorded.</summary>
    public long Count { get; private set; }

    /// <summary>The largest value recorded, exactly.</summary>
    public long Max { get; private set; }

    /// <summary>The smallest value recorded, exactly (0 when empty).</summary>
    public long Min { get; private set; } = long.MaxValue;

    /// <summary>Sum of the values recorded, for the mean.</summary>
    public double Sum { get; private set; }

    /// <summary>Records one value; negative values (a clock read out of order) count as 0.</summary>
    public void Record(long nanoseconds)
    {
        long value = Math.Clamp(nanoseconds, 0, (1L << MaxExponent) - 1);
        _counts[IndexOf(value)]++;
        Count++;
        Sum += value;
        if (value > Max)
        {
            Max = value;
        }

        if (value < Min)
        {
            Min = value;
        }
    }

    /// <summary>Adds every value of <paramref name="other"/> to this one.</summary>
    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (int i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        Sum += other.Sum;
        Max = Math.Max(Max, other.Max);
        Min = Math.Min(Min, other.Min);
    }

    /// <summary>
    /// The value at <paramref name="percentile"/> (0–100]: the highest value equivalent to the
    /// bucket holding the rank-th value (rank = ⌈p/100 · count⌉), capped at <see cref="Max"/>,
    /// as HdrHistogram reports it. 0 when nothing was recorded.
    /// </summary>
    public long ValueAtPercentile(double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(percentile);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        if (Count == 0)
        {
            return 0;
        }

        // The epsilon keeps 99.9 % of 1,000 at rank 999: 99.9 / 100 * 1000 is 999.0000000000001 in binary.
        long rank = Math.Max(1, (long)Math.Ceiling((percentile / 100 * Count) - 1e-9));
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(HighestEquivalent(i), Max);
            }
        }

        return Max;
    }

    /// <summary>The bucket a value falls in.</summary>
    internal static int IndexOf(long value)
    {
        if (value < SubBucketCount)
        {
            return (int)value;
        }

        int exponent = 63 - BitOperations.LeadingZeroCount((ulong)value);
        int shift = exponent - SubBucketBits + 1;
        return (shift * HalfSubBucketCount) + (int)(value >> shift);
    }

    /// <summary>The largest value that falls in bucket <paramref name="index"/>.</summary>
    internal static long HighestEquivalent(int index)
    {
        if (index < SubBucketCount)
        {
            return index;
        }

        int shift = (index / HalfSubBucketCount) - 1;
        long sub = index - ((long)shift * HalfSubBucketCount);
        return ((sub + 1) << shift) - 1;
    }
}
