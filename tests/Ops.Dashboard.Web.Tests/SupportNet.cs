using System.Net;
using System.Net.Sockets;
using Ops.Dashboard.Testing;

namespace Ops.Dashboard.Web.Tests;

/// <summary>Free TCP ports and the repository layout.</summary>
public static class SupportNet
{
    /// <summary>A port nobody listens on now, never the same twice in this process.</summary>
    public static int FreePort() => FreePorts.Next();

    /// <summary>True when something accepts connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public static bool IsListening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The directory holding Ops.Dashboard.sln, found by walking up from the test assembly.</summary>
    public static string RepositoryRoot() => RepoLayout.FindRoot();

    public static string NewTempDirectory(string prefix) => Directory.CreateTempSubdirectory(prefix).FullName;

    public static void DeleteQuietly(string directory)
    {
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
