using System.Buffers;
using System.Buffers.Binary;

namespace Gateway.Interception.Dlp;

/// <summary>
/// Follows the client-to-server side of an upgraded WebSocket connection (RFC 6455 §5.2) across reads and hands
/// the unmasked payload of text messages (opcode 1 and its continuation frames) to a <see cref="DlpStreamScanner"/>,
/// so a secret split across reads or frames is still seen whole. Binary and control frames are skipped. A frame
/// with RSV1 set (permessage-deflate) cannot occur: the gateway drops <c>Sec-WebSocket-Extensions</c> from the
/// upgrade request of an inspected connection, so no extension is negotiated; if one arrives anyway it is a
/// protocol error the upstream refuses, and its payload is scanned as it is.
/// </summary>
internal sealed class DlpWebSocketFrames : IDisposable
{
    private const int MaxHeader = 14;

    private readonly DlpStreamScanner _scanner;
    private readonly byte[] _header = new byte[MaxHeader];
    private byte[]? _unmasked = ArrayPool<byte>.Shared.Rent(DlpStreamScanner.Chunk);
    private int _headerLength;
    private long _payloadLeft;
    private uint _mask;
    private int _maskIndex;
    private bool _masked;
    private bool _scanFrame;
    private bool _textMessage;

    public DlpWebSocketFrames(DlpNeedles needles, in DlpContext context) => _scanner = new DlpStreamScanner(needles, context);

    /// <summary>Follows <paramref name="data"/> (the next bytes the client sent); the first secret in a text message, or None.</summary>
    public DlpPattern Feed(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_payloadLeft == 0 && !ReadHeader(ref data))
            {
                return DlpPattern.None;
            }

            int take = (int)Math.Min(_payloadLeft, Math.Min(data.Length, DlpStreamScanner.Chunk));
            if (_scanFrame && take > 0)
            {
                DlpPattern pattern = _scanner.Feed(Unmask(data[..take]));
                if (pattern != DlpPattern.None)
                {
                    return pattern;
                }
            }

            _payloadLeft -= take;
            data = data[take..];
        }

        return DlpPattern.None;
    }

    /// <summary>The connection ended: decides what the scanner kept waiting for more.</summary>
    public DlpPattern Complete() => _scanner.Complete();

    public void Dispose()
    {
        _scanner.Dispose();
        if (_unmasked is { } buffer)
        {
            _unmasked = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Collects a frame header (2 to 14 bytes) across reads; false when the data ran out first.
    private bool ReadHeader(ref ReadOnlySpan<byte> data)
    {
        while (true)
        {
            int needed = HeaderLength();
            if (_headerLength >= needed)
            {
                break;
            }

            if (data.IsEmpty)
            {
                return false;
            }

            int take = Math.Min(needed - _headerLength, data.Length);
            data[..take].CopyTo(_header.AsSpan(_headerLength));
            _headerLength += take;
            data = data[take..];
        }

        int opcode = _header[0] & 0x0F;
        int length7 = _header[1] & 0x7F;
        _masked = (_header[1] & 0x80) != 0;
        int at = 2;
        _payloadLeft = length7 switch
        {
            126 => BinaryPrimitives.ReadUInt16BigEndian(_header.AsSpan(2)),
            127 => (long)(BinaryPrimitives.ReadUInt64BigEndian(_header.AsSpan(2)) & long.MaxValue),
            _ => length7,
        };
        at += length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
        _mask = _masked ? BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(at)) : 0;
        _maskIndex = 0;
        if (opcode == 1)
        {
            _textMessage = true;
        }
        else if (opcode == 2)
        {
            _textMessage = false;
        }

        // Continuation frames (0) belong to the message their first frame opened; control frames (8+) interleave.
        _scanFrame = opcode < 8 && _textMessage;
        _headerLength = 0;
        return true;
    }

    private int HeaderLength()
    {
        if (_headerLength < 2)
        {
            return 2;
        }

        int length7 = _header[1] & 0x7F;
        int extended = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
        return 2 + extended + ((_header[1] & 0x80) != 0 ? 4 : 0);
    }

    // RFC 6455 §5.3: byte i of the payload is XORed with byte (i mod 4) of the key.
    private ReadOnlySpan<byte> Unmask(ReadOnlySpan<byte> payload)
    {
        if (!_masked)
        {
            return payload;
        }

        Span<byte> output = _unmasked.AsSpan(0, payload.Length);
        for (int i = 0; i < payload.Length; i++)
        {
            output[i] = (byte)(payload[i] ^ (byte)(_mask >> (8 * (3 - _maskIndex))));
            _maskIndex = (_maskIndex + 1) & 3;
        }

        return output;
    }
}
