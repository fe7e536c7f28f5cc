//! A small SMTP server on a loopback port that accepts what lettre sends and hands each message
//! to the test; it can refuse the next messages with a transient error.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// One message as the sink received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// Headers and body, with quoted-printable soft line breaks undone.
    pub data: String,
}

/// The running sink; it stops when dropped.
pub struct SmtpSink {
    pub addr: SocketAddr,
    messages: mpsc::UnboundedReceiver<Received>,
    refuse: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (sender, messages) = mpsc::unbounded_channel();
        let refuse = Arc::new(AtomicUsize::new(0));
        let refusing = refuse.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(session(stream, sender.clone(), refusing.clone()));
            }
        });
        Self {
            addr,
            messages,
            refuse,
            task,
        }
    }

    /// The relay URL a mailer sends through (plain SMTP: the sink is on this machine).
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Answers the next `n` recipients with "451 try again later".
    pub fn refuse_next(&self, n: usize) {
        self.refuse.store(n, Ordering::SeqCst);
    }

    /// The next message that arrives.
    pub async fn next_message(&mut self) -> Received {
        self.messages.recv().await.expect("the sink stopped")
    }

    /// A message that has already arrived, if any.
    pub fn try_message(&mut self) -> Option<Received> {
        self.messages.try_recv().ok()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn address(line: &str) -> String {
    let start = line.find('<').map(|i| i + 1).unwrap_or(0);
    let end = line.rfind('>').unwrap_or(line.len());
    line[start..end].to_string()
}

async fn session(
    stream: TcpStream,
    sender: mpsc::UnboundedSender<Received>,
    refuse: Arc<AtomicUsize>,
) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let reply = |text: &'static str| text.as_bytes();
    if write
        .write_all(reply("220 sink.test ESMTP\r\n"))
        .await
        .is_err()
    {
        return;
    }
    let mut from = String::new();
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        let answer: &[u8] = match verb.as_str() {
            "EHLO" | "HELO" => b"250-sink.test\r\n250 8BITMIME\r\n",
            "MAIL" => {
                from = address(&line);
                b"250 OK\r\n"
            }
            "RCPT" => {
                let left = refuse.load(Ordering::SeqCst);
                if left > 0 {
                    refuse.store(left - 1, Ordering::SeqCst);
                    b"451 4.3.0 mailbox busy, try again later\r\n"
                } else {
                    to.push(address(&line));
                    b"250 OK\r\n"
                }
            }
            "DATA" => {
                if write
                    .write_all(b"354 end with <CRLF>.<CRLF>\r\n")
                    .await
                    .is_err()
                {
                    return;
                }
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                let data = data.replace("=\r\n", "");
                let _ = sender.send(Received {
                    from: std::mem::take(&mut from),
                    to: std::mem::take(&mut to),
                    data,
                });
                b"250 OK queued\r\n"
            }
            "RSET" => {
                from.clear();
                to.clear();
                b"250 OK\r\n"
            }
            "NOOP" => b"250 OK\r\n",
            "QUIT" => {
                let _ = write.write_all(b"221 bye\r\n").await;
                return;
            }
            _ => b"502 command not implemented\r\n",
        };
        if write.write_all(answer).await.is_err() {
            return;
        }
    }
}
