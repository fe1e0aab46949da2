using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace Gateway.Credentials;

/// <summary>
/// A request body read whole before re-signing, because its SHA-256 goes into the signature that
/// precedes it on the wire. Held in one pooled buffer up to <see cref="MaxLength"/>; the request's
/// body is then served from that buffer, and <see cref="Dispose"/> returns it once forwarding is done.
/// </summary>
internal sealed class SigV4Body : IDisposable
{
    /// <summary>The most a body is read to be hashed (8 MiB): bounded memory per request; past it, 413.</summary>
    public const int MaxLength = 8 * 1024 * 1024;

    private byte[]? _buffer;

    private static readonly SigV4Body s_empty = new(null, 0, SigV4Signer.EmptyPayloadHash);

    private SigV4Body(byte[]? buffer, int length, string hash)
    {
        _buffer = buffer;
        Length = length;
        Hash = hash;
    }

    /// <summary>How many bytes the body has.</summary>
    public int Length { get; }

    /// <summary>Its hex SHA-256.</summary>
    public string Hash { get; }

    /// <summary>
    /// Reads the body of <paramref name="request"/> (at most <paramref name="limit"/> bytes), hashes it and
    /// makes the request's body the buffered copy; null when it is longer than the limit (nothing is kept).
    /// </summary>
    public static async ValueTask<SigV4Body?> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        // No body can follow (a GET without Content-Length or chunking): nothing to read or keep.
        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
        {
            return s_empty;
        }

        int capacity = request.ContentLength is { } declared ? (int)declared : 16 * 1024;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 1));
        int length = 0;
        PipeReader reader = request.BodyReader;
        try
        {
            while (true)
            {
                ReadResult read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                ReadOnlySequence<byte> data = read.Buffer;
                if (length + data.Length > limit)
                {
                    reader.AdvanceTo(data.End);
                    ArrayPool<byte>.Shared.Return(buffer);
                    return null;
                }

                if (length + data.Length > buffer.Length)
                {
                    byte[] bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(limit, Math.Max(buffer.Length * 2L, length + data.Length)));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                data.CopyTo(buffer.AsSpan(length));
                length += (int)data.Length;
                reader.AdvanceTo(data.End);
                if (read.IsCompleted)
                {
                    break;
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(buffer.AsSpan(0, length), hash);
        request.Body = new MemoryStream(buffer, 0, length, writable: false);
        return new SigV4Body(buffer, length, Convert.ToHexStringLower(hash));
    }

    /// <summary>The message a client gets when its body is over the bound, naming the fix.</summary>
    public static string TooLarge(string host, int limit) =>
        $"Refused (413): the body is longer than {limit / (1024 * 1024)} MiB, the most the egress gateway reads to hash it for re-signing the request to {host} with the real AWS keys. Send x-amz-content-sha256 with the body's SHA-256 (or UNSIGNED-PAYLOAD where the service accepts it, as S3 does over HTTPS): the gateway then signs that value and streams the body unread.\n";

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
