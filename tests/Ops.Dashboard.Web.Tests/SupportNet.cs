using System.Net;
using System.Net.Sockets;

namespace Ops.Dashboard.Web.Tests;

/// <summary>Free TCP ports and the repository layout.</summary>
public static class SupportNet
{
    private static readonly HashSet<int> Handed = [];

    /// <summary>
    /// A port nobody listens on now, never the same twice in this process (two hosts started in
    /// parallel must not get the same silo port: on Linux that does not fail, it interferes).
    /// </summary>
    public static int FreePort()
    {
        lock (Handed)
        {
            while (true)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                if (Handed.Add(port)) return port;
            }
        }
    }

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
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ops.Dashboard.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Ops.Dashboard.sln not found above " + AppContext.BaseDirectory);
    }

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
