// The field app's own words in the user's language. Vietnamese is the source language (the text in
// the code); English sits beside it here. The language is the one Django chose for the page (the
// user's choice in the language menu, else the browser's), written in <html lang>. The questionnaire
// itself (labels, messages, code lists) is the official Vietnamese form and is shown as such.
const EN = {
  "{n} phiếu, {m} ảnh đang chờ gửi": "{n} forms, {m} photos waiting to be sent",
  "Không có gì chờ gửi": "Nothing waiting to be sent",
  "Có mạng": "Online",
  "Ngoại tuyến": "Offline",
  "Đăng nhập một lần": "Sign in once",
  "Điện thoại giữ một mã thiết bị (không lưu mật khẩu); cán bộ có thể thu hồi mã khi mất máy.":
    "The phone keeps a device key (never your password); an officer can revoke it if the phone is lost.",
  "Tên đăng nhập": "User name",
  "Mật khẩu": "Password",
  "Đăng nhập": "Sign in",
  "Không đăng nhập được.": "Could not sign in.",
  "Cần có mạng để đăng nhập lần đầu.": "The first sign-in needs a network connection.",
  "Đang tải danh sách hộ và phiếu…": "Downloading the households and the forms…",
  "Đã tải {n} hộ. Có thể làm việc không cần mạng.": "{n} households downloaded. You can now work offline.",
  "Chờ gửi": "Waiting to send",
  "Đã gửi": "Sent",
  "Đã gửi – máy chủ đang ghi": "Sent – being recorded",
  "Xung đột – chờ xã xử lý": "Conflict – the commune will resolve it",
  "Lỗi – cần sửa": "Error – needs correcting",
  "Tìm theo mã hộ, tên chủ hộ…": "Search by household code or head's name…",
  "Đã có Phiếu B": "Phiếu B done",
  "Không có trong đợt rà soát đang mở": "Not in the open review round",
  "Đồng bộ ngay": "Sync now",
  "+ Hộ mới phát hiện": "+ New household found",
  "Tải lại danh sách": "Download the list again",
  "Cần có mạng để tải danh sách.": "Downloading the list needs a network connection.",
  "Hộ mới": "New household",
  "Thôn/tổ dân phố *": "Village/residential group *",
  "Địa chỉ": "Address",
  "Chưa có toạ độ": "No position yet",
  "Lấy vị trí GPS": "Get GPS position",
  "Đang lấy vị trí…": "Getting the position…",
  "Không lấy được vị trí: {error}": "Could not get the position: {error}",
  "Tệp không phải ảnh.": "The file is not a photo.",
  "Kết quả tạm tính (chỉ tham khảo): thu nhập {income}/người/tháng không vượt chuẩn nghèo {line} ({area}). Kết quả chính thức do xã xét theo đủ chỉ tiêu.":
    "Indicative only: income {income} per person per month is not above the poverty line {line} ({area}). The commune decides on all the indicators.",
  "Kết quả tạm tính (chỉ tham khảo): thu nhập {income}/người/tháng cao hơn chuẩn nghèo {line} ({area}). Kết quả chính thức do xã xét theo đủ chỉ tiêu.":
    "Indicative only: income {income} per person per month is above the poverty line {line} ({area}). The commune decides on all the indicators.",
  "thành thị": "urban",
  "nông thôn": "rural",
  "Lưu phiếu vào máy": "Save the form on the phone",
  "Phiếu được lưu trên máy và gửi khi có mạng.": "The form is kept on the phone and sent when there is a network.",
  "Quay lại": "Back",
  "Phiếu còn {n} lỗi: {first}": "The form still has {n} errors: {first}",
  "Đã lưu phiếu của hộ {code} trên máy.": "The form of household {code} is saved on the phone.",
  "Chưa tải được danh sách hộ: cần có mạng lần đầu.": "The household list is not downloaded yet: the first time needs a network.",
  "Phiên làm việc đã hết hạn hoặc mã thiết bị bị thu hồi: đăng nhập lại.":
    "The session has expired or the device key was revoked: sign in again.",
  "Đang gửi {n} phiếu…": "Sending {n} forms…",
  "Máy chủ trả lỗi {status}": "The server answered with error {status}",
  "Đang gửi ảnh…": "Sending photos…",
  "Lỗi {status}": "Error {status}",
  "Đã đồng bộ.": "Synchronised.",
  "Chưa gửi được (mất kết nối?). Dữ liệu vẫn nằm trên máy; sẽ thử lại.":
    "Not sent yet (no connection?). The data stays on the phone; it will try again.",
  "— chọn —": "— choose —",
  "Thành viên mới {n}": "New member {n}",
  "Thành viên {n}": "Member {n}",
  "+ Thêm thành viên": "+ Add a member",
  "Có phiên bản mới của ứng dụng.": "A new version of the app is available.",
  "Cập nhật": "Update",
};

export const language = (document.documentElement.lang || "vi").slice(0, 2).toLowerCase();
export const catalogue = { en: EN };

// The text in the page's language, with {name} placeholders filled in.
export function t(text, vars = {}) {
  const words = (language === "en" && EN[text]) || text;
  return words.replace(/\{(\w+)\}/g, (whole, key) => (key in vars ? String(vars[key]) : whole));
}
