using System.Text;

namespace Gateway.Tests.Audit;

/// <summary>A thread-safe output a test can wait on while a command is still writing to it.</summary>
internal sealed class LineCapture : TextWriter
{
    private readonly StringBuilder _text = new();
    private readonly Lock _lock = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_lock)
        {
            _text.Append(value);
        }
    }

    public override void Write(string? value)
    {
        lock (_lock)
        {
            _text.Append(value);
        }
    }

    public override string ToString()
    {
        lock (_lock)
        {
            return _text.ToString();
        }
    }

    public async Task<bool> WaitForAsync(string text, TimeSpan within)
    {
        long start = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(start) < within)
        {
            if (ToString().Contains(text, StringComparison.Ordinal))
            {
                return true;
            }

            await Task.Delay(10);
        }

        return ToString().Contains(text, StringComparison.Ordinal);
    }
}
