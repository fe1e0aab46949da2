using System.Diagnostics;

namespace Gateway.Interception.Tls;

/// <summary>
/// Counts the HTTP/2 frames a client sends that cost the server work without asking for any
/// (RFC 9113 §10.5: SETTINGS and PING make it answer, PRIORITY, WINDOW_UPDATE and empty DATA
/// update state, unknown types are parsed and dropped), over the decrypted bytes in the order they
/// arrive, before Kestrel's HTTP/2 stack reads them. Kestrel 10 bounds streams, headers and rapid
/// resets but not these: a flood of 186k SETTINGS frames/s kept a core busy per connection. The
/// budget per one-second window is <c>limits.http2ControlFramesPerSecond</c>, plus one per HEADERS
/// frame (clients that send PRIORITY per request) and one per KiB sent to the client (WINDOW_UPDATE
/// follows the data a client receives). Frame headers are read from any split of the stream; only
/// 9 header bytes are ever held; nothing is allocated.
/// </summary>
internal sealed class Http2FrameBudget(int framesPerSecond)
{
    private const int PrefaceLength = 24; // "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", RFC 9113 §3.4
    private const int FrameHeaderLength = 9;
    private const byte Data = 0x0, Headers = 0x1, Priority = 0x2, Settings = 0x4, Ping = 0x6, WindowUpdate = 0x8, Continuation = 0x9;
    private const byte EndStream = 0x1;

    private static readonly long s_window = Stopwatch.Frequency;

    private int _prefaceLeft = PrefaceLength;
    private int _headerFill;
    private int _length;
    private byte _type;
    private byte _flags;
    private long _payloadLeft;
    private long _windowStart = Stopwatch.GetTimestamp();
    private long _counted;
    private long _allowance;
    private long _sent;

    /// <summary>Control frames counted in the current window (for tests and the log line).</summary>
    public long Counted => _counted;

    /// <summary>Frames seen in all, control or not.</summary>
    public long Frames { get; private set; }

    /// <summary>Bytes the server sent to the client; each KiB allows one more control frame in its window.</summary>
    public void AddSent(int bytes) => Interlocked.Add(ref _sent, bytes);

    /// <summary>Reads <paramref name="bytes"/>, the next bytes from the client; false once the budget of the current window is spent.</summary>
    public bool Observe(ReadOnlySpan<byte> bytes)
    {
        int at = 0;
        if (_prefaceLeft > 0)
        {
            int skip = Math.Min(_prefaceLeft, bytes.Length);
            _prefaceLeft -= skip;
            at = skip;
        }

        while (at < bytes.Length)
        {
            if (_payloadLeft > 0)
            {
                int skip = (int)Math.Min(_payloadLeft, bytes.Length - at);
                _payloadLeft -= skip;
                at += skip;
                continue;
            }

            byte b = bytes[at++];
            switch (_headerFill++)
            {
                case 0: _length = b << 16; break;
                case 1: _length |= b << 8; break;
                case 2: _length |= b; break;
                case 3: _type = b; break;
                case 4: _flags = b; break;
                case 8:
                    _headerFill = 0;
                    _payloadLeft = _length;
                    if (!Count())
                    {
                        return false;
                    }

                    break;
            }
        }

        return true;
    }

    // One complete frame header: is it a control frame, and is the window's budget still open?
    private bool Count()
    {
        Frames++;
        bool control = _type switch
        {
            Settings or Ping or Priority or WindowUpdate => true,
            Data => _length == 0 && (_flags & EndStream) == 0,
            Headers => false,
            > Continuation => true,
            _ => false,
        };

        long now = Stopwatch.GetTimestamp();
        if (now - _windowStart >= s_window)
        {
            _windowStart = now;
            _counted = 0;
            _allowance = 0;
            Interlocked.Exchange(ref _sent, 0);
        }

        if (_type == Headers)
        {
            _allowance++;
        }

        if (!control)
        {
            return true;
        }

        _counted++;
        return _counted <= framesPerSecond + _allowance + (Volatile.Read(ref _sent) >> 10);
    }
}
