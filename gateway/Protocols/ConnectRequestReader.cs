using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Gateway.Protocols;

/// <summary>
/// Reads the head of an HTTP/1.x CONNECT request (RFC 9110 §9.3.6, authority-form of
/// RFC 9112 §3.2.3) from the first bytes of a forward-proxy connection. A pure function over
/// bytes: it never decides, dials or logs, and it allocates nothing.
/// </summary>
/// <remarks>
/// <para>
/// Strict on purpose, because request smuggling lives in lenient framing: lines end in CRLF
/// (a bare LF is refused, not tolerated), exactly one SP between the parts of the request
/// line, no obs-fold, no whitespace between a header name and its colon, no control bytes.
/// </para>
/// <para>
/// Stateless: every call reads the buffer from its start, so the caller keeps nothing between
/// reads but the buffer (<c>AdvanceTo(buffer.Start, buffer.End)</c> while
/// <see cref="ConnectParseStatus.Incomplete"/>). Complete lines are checked as soon as they
/// arrive, so a broken request line is refused without waiting for the rest of the head.
/// </para>
/// </remarks>
internal static partial class ConnectRequestReader
{
    /// <summary>The largest head accepted, final CRLFCRLF included; beyond it the answer is 431.</summary>
    public const int MaxHeadSize = 8 * 1024;

    private const int MethodLength = 8;

    // A line that straddles segments is copied so it can be checked as one span: onto the
    // stack when it is this short (request lines and most header lines), else into a pooled array.
    private const int StackLineSize = 256;

    private static ReadOnlySpan<byte> Method => "CONNECT "u8;

    /// <summary>
    /// Reads one request head from <paramref name="buffer"/>. <paramref name="head"/> is reset
    /// first and is meaningful only when <see cref="ConnectParseStatus.Complete"/> is returned;
    /// <paramref name="consumed"/> is then just past the head's final CRLFCRLF (what follows is
    /// tunnel data), and otherwise the buffer's start.
    /// </summary>
    public static ConnectParseStatus TryRead(
        in ReadOnlySequence<byte> buffer, ref ConnectHead head, out SequencePosition consumed, out ConnectRejection rejection)
    {
        head.Reset();
        consumed = buffer.Start;

        // The first segment usually holds the whole head (Kestrel's segments are 4 KiB); what
        // it decides holds for the whole buffer, since it only judges complete lines.
        ConnectParseStatus status = ReadSpan(buffer.FirstSpan, ref head, out int read, out rejection);
        if (status == ConnectParseStatus.Complete)
        {
            consumed = buffer.GetPosition(read);
        }
        else if (status == ConnectParseStatus.Incomplete && !buffer.IsSingleSegment)
        {
            // Go on from the first line the first segment did not hold whole; what was read stays in the head.
            status = ReadSequence(buffer, read, ref head, out consumed, out rejection);
        }

        return status;
    }

    // `read`: on Complete the head's length; on Incomplete the length of the complete lines read
    // (0 while the request line is not whole).
    private static ConnectParseStatus ReadSpan(
        ReadOnlySpan<byte> span, ref ConnectHead head, out int read, out ConnectRejection rejection)
    {
        read = 0;
        rejection = ConnectRejection.None;
        MethodMatch method = MatchMethod(span.Length >= MethodLength ? span[..MethodLength] : span);
        if (method != MethodMatch.Connect)
        {
            return FromMethod(method, out rejection);
        }

        if (span.Length > MaxHeadSize)
        {
            span = span[..MaxHeadSize];
        }

        int lf = span.IndexOf((byte)'\n');
        if (lf < 0)
        {
            return Pending(span.Length, out rejection);
        }

        rejection = ReadRequestLine(span[..lf], ref head);
        if (rejection != ConnectRejection.None)
        {
            return ConnectParseStatus.Rejected;
        }

        read = lf + 1;
        while ((lf = span[read..].IndexOf((byte)'\n')) >= 0)
        {
            rejection = ReadHeaderLine(span.Slice(read, lf), ref head, out bool endOfHead);
            read += lf + 1;
            if (rejection != ConnectRejection.None)
            {
                return ConnectParseStatus.Rejected;
            }

            if (endOfHead)
            {
                return ConnectParseStatus.Complete;
            }
        }

        return Pending(span.Length, out rejection);
    }

    // The slow path, for a head spread over segments: SequenceReader walks the segments, and a
    // line that straddles two is copied (stack or pool) so every line is checked by the same
    // span code as the fast path. `read`: how many bytes of whole lines the fast path has
    // already read into the head.
    [SkipLocalsInit]
    private static ConnectParseStatus ReadSequence(
        in ReadOnlySequence<byte> buffer, int read, ref ConnectHead head, out SequencePosition consumed, out ConnectRejection rejection)
    {
        consumed = buffer.Start;
        ReadOnlySequence<byte> window = buffer.Length > MaxHeadSize ? buffer.Slice(0, MaxHeadSize) : buffer;
        bool requestLine = read == 0;
        if (requestLine)
        {
            Span<byte> methodBytes = stackalloc byte[MethodLength];
            int methodLength = (int)Math.Min(window.Length, MethodLength);
            window.Slice(0, methodLength).CopyTo(methodBytes);
            MethodMatch method = MatchMethod(methodBytes[..methodLength]);
            if (method != MethodMatch.Connect)
            {
                return FromMethod(method, out rejection);
            }
        }

        Span<byte> stackLine = stackalloc byte[StackLineSize];
        byte[]? rented = null;
        try
        {
            var reader = new SequenceReader<byte>(window);
            reader.Advance(read);
            while (true)
            {
                // A line inside the current segment is read in place; only one that straddles
                // segments is assembled by the reader and copied.
                scoped ReadOnlySpan<byte> line;
                ReadOnlySpan<byte> unread = reader.UnreadSpan;
                int lf = unread.IndexOf((byte)'\n');
                if (lf >= 0)
                {
                    line = unread[..lf];
                    reader.Advance(lf + 1);
                }
                else if (reader.TryReadTo(out ReadOnlySequence<byte> lineBytes, (byte)'\n', advancePastDelimiter: true))
                {
                    int length = (int)lineBytes.Length;
                    Span<byte> copy = length <= StackLineSize ? stackLine : (rented ??= ArrayPool<byte>.Shared.Rent(MaxHeadSize));
                    lineBytes.CopyTo(copy);
                    line = copy[..length];
                }
                else
                {
                    break;
                }

                bool endOfHead = false;
                if (requestLine)
                {
                    rejection = ReadRequestLine(line, ref head);
                    requestLine = false;
                }
                else
                {
                    rejection = ReadHeaderLine(line, ref head, out endOfHead);
                }

                if (rejection != ConnectRejection.None)
                {
                    return ConnectParseStatus.Rejected;
                }

                if (endOfHead)
                {
                    consumed = reader.Position;
                    return ConnectParseStatus.Complete;
                }
            }

            return Pending(window.Length, out rejection);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    // No end of head yet: wait, unless the window is already as large as a head may be.
    private static ConnectParseStatus Pending(long windowLength, out ConnectRejection rejection)
    {
        if (windowLength >= MaxHeadSize)
        {
            rejection = ConnectRejection.HeadTooLarge;
            return ConnectParseStatus.Rejected;
        }

        rejection = ConnectRejection.None;
        return ConnectParseStatus.Incomplete;
    }

    /// <summary>Throws for a broken invariant of this reader: a bug, never a property of the input.</summary>
    [DoesNotReturn]
    [StackTraceHidden]
    internal static void ThrowInvariant(string message) => throw new UnreachableException(message);
}
