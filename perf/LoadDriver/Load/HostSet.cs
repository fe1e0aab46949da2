using System.Globalization;

namespace LoadDriver.Load;

/// <summary>
/// The host each request names (CONNECT authority, SNI, Host): one fixed host, a warm set
/// cycled through, or a new unique host per request (a cold leaf-certificate cache).
/// </summary>
internal sealed class HostSet
{
    private static long s_uniqueCount;

    private readonly string[] _warm;
    private readonly string? _uniquePrefix;
    private readonly string _suffix;

    private HostSet(string[] warm, string? uniquePrefix, string suffix)
    {
        _warm = warm;
        _uniquePrefix = uniquePrefix;
        _suffix = suffix;
    }

    /// <summary>Every request names <paramref name="host"/>.</summary>
    public static HostSet Single(string host) => new([host], null, "");

    /// <summary>Requests cycle through <c>h0.SUFFIX … h{count-1}.SUFFIX</c>.</summary>
    public static HostSet Warm(int count, string suffix)
    {
        var hosts = new string[count];
        for (int i = 0; i < count; i++)
        {
            hosts[i] = string.Create(CultureInfo.InvariantCulture, $"h{i}.{suffix}");
        }

        return new HostSet(hosts, null, suffix);
    }

    /// <summary>
    /// Every request names <c>{prefix}{n}.SUFFIX</c> with <c>n</c> counting up across every unique
    /// set of the process (1, 2, 3 …), so no name repeats between runs and no cache carries over.
    /// </summary>
    public static HostSet Unique(string prefix, string suffix) => new([], prefix, suffix);

    /// <summary>
    /// The host set a <c>load --hosts</c> argument names: <c>warm:N</c> (h0 … h{N-1}),
    /// <c>unique:FROM</c> (c{FROM}, c{FROM+1} …: separate driver processes pass disjoint ranges so
    /// no name repeats between them), each under <c>.example.test</c>; anything else is one host.
    /// </summary>
    public static HostSet Parse(string argument)
    {
        const string Suffix = "example.test";
        if (argument.StartsWith("warm:", StringComparison.Ordinal))
        {
            return Warm(int.Parse(argument.AsSpan(5), CultureInfo.InvariantCulture), Suffix);
        }

        if (argument.StartsWith("unique:", StringComparison.Ordinal))
        {
            // HostFor increments before use: the first name is exactly FROM.
            Interlocked.Exchange(ref s_uniqueCount, long.Parse(argument.AsSpan(7), CultureInfo.InvariantCulture) - 1);
            return Unique("c", Suffix);
        }

        return Single(argument);
    }

    /// <summary>True when every request names a host never named before.</summary>
    public bool IsUnique => _uniquePrefix is not null;

    /// <summary>The host of request <paramref name="index"/> (unique sets ignore the index: every call is a new name).</summary>
    public string HostFor(long index) => _uniquePrefix is null
        ? _warm[(int)(index % _warm.Length)]
        : string.Create(CultureInfo.InvariantCulture, $"{_uniquePrefix}{Interlocked.Increment(ref s_uniqueCount)}.{_suffix}");
}
