using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Gateway.Credentials;

/// <summary>
/// SigV4 signing keys (HMAC chain "AWS4"+secret → date → region → service → "aws4_request"),
/// cached per (secret, date, region, service): four HMACs saved on every request after the first
/// of a day. A rotated secret is a new entry; the cache is emptied when it holds more entries than
/// a gateway plausibly needs, so old days and old secrets do not pile up.
/// </summary>
internal sealed class SigV4SigningKeys
{
    private const int MaxEntries = 256;
    private readonly ConcurrentDictionary<(string Secret, int Date, string Region, string Service), byte[]> _keys = new();

    /// <summary>The signing key for <paramref name="secret"/> on <paramref name="date"/> (yyyyMMdd as a number).</summary>
    public byte[] For(string secret, int date, string region, string service)
    {
        if (_keys.TryGetValue((secret, date, region, service), out byte[]? key))
        {
            return key;
        }

        key = Derive(secret, date, region, service);
        if (_keys.Count >= MaxEntries)
        {
            _keys.Clear();
        }

        _keys[(secret, date, region, service)] = key;
        return key;
    }

    /// <summary>The key derivation of AWS "Calculate the signature": four chained HMAC-SHA256.</summary>
    public static byte[] Derive(string secret, int date, string region, string service)
    {
        int secretBytes = System.Text.Encoding.UTF8.GetByteCount(secret);
        byte[] seed = new byte[4 + secretBytes];
        try
        {
            "AWS4"u8.CopyTo(seed);
            System.Text.Encoding.UTF8.GetBytes(secret, seed.AsSpan(4));
            Span<byte> dateKey = stackalloc byte[32];
            Span<byte> regionKey = stackalloc byte[32];
            Span<byte> text = stackalloc byte[8];
            date.TryFormat(text, out _, "D8", System.Globalization.CultureInfo.InvariantCulture);
            HMACSHA256.HashData(seed, text, dateKey);
            Chain(dateKey, region, regionKey);
            Chain(regionKey, service, dateKey);
            byte[] signing = new byte[32];
            HMACSHA256.HashData(dateKey, "aws4_request"u8, signing);
            CryptographicOperations.ZeroMemory(dateKey);
            CryptographicOperations.ZeroMemory(regionKey);
            return signing;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    private static void Chain(ReadOnlySpan<byte> key, string text, Span<byte> next)
    {
        Span<byte> bytes = stackalloc byte[SigV4Scope.MaxNameLength * 3];
        int length = System.Text.Encoding.UTF8.GetBytes(text, bytes);
        HMACSHA256.HashData(key, bytes[..length], next);
    }
}
