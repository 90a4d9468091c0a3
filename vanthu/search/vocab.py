"""Vietnamese administrative vocabulary for the search benchmark's synthetic corpus.

Written for VanThu: words and compounds as they appear in party and state documents. Frequencies
are assigned Zipf-like by position (earlier = more frequent), after a shuffle with a fixed seed
so that the grammatical words lead.
"""

FUNCTION_WORDS = """
của, và, các, về, việc, trong, cho, với, được, theo, những, có, là, để, đã, năm, này, thực hiện,
đến, tại, từ, một, trên, số, đồng chí, không, cũng, khi, như, đó, sau, theo đó, đối với, nhằm,
bảo đảm, tiếp tục, tăng cường, đồng thời, ngày, tháng, quý, trước, các cấp, cơ sở, đơn vị, cơ quan
"""

CONTENT_WORDS = """
đảng, đảng bộ, đảng ủy, chi bộ, đảng viên, cấp ủy, ban thường vụ, ban chấp hành, bí thư, phó bí thư,
thành ủy, khối, thành phố, hà nội, ủy ban nhân dân, hội đồng nhân dân, mặt trận tổ quốc, đoàn thể,
công đoàn, đoàn thanh niên, hội liên hiệp phụ nữ, hội cựu chiến binh, chính quyền, nhà nước, nhân dân,
nghị quyết, quyết định, chỉ thị, kết luận, quy chế, quy định, hướng dẫn, thông báo, báo cáo, kế hoạch,
chương trình, tờ trình, công văn, biên bản, đề án, thông tri, phương án, dự án, giấy mời, tài liệu,
xây dựng, chỉnh đốn, chuyển đổi số, chuyển đổi, số hóa, ứng dụng, công nghệ thông tin, phần mềm,
hệ thống, dữ liệu, cơ sở dữ liệu, điện tử, văn bản điện tử, chữ ký số, chứng thư số, mạng, an toàn,
an ninh, bảo mật, thông tin, truyền thông, tuyên truyền, tuyên giáo, dân vận, tổ chức, cán bộ, kiểm tra,
giám sát, kỷ luật, khen thưởng, thi đua, đánh giá, xếp loại, chất lượng, hiệu quả, kết quả, nhiệm vụ,
giải pháp, mục tiêu, chỉ tiêu, lãnh đạo, chỉ đạo, điều hành, quản lý, triển khai, tổng kết, sơ kết,
học tập, quán triệt, nghiên cứu, đào tạo, bồi dưỡng, tập huấn, lý luận chính trị, tư tưởng, đạo đức,
phong cách, tấm gương, hồ chí minh, chủ tịch, di chúc, học tập và làm theo, nêu gương, trách nhiệm,
người đứng đầu, văn phòng, ban tổ chức, ủy ban kiểm tra, ban tuyên giáo, ban dân vận, sở tài chính,
sở xây dựng, sở y tế, sở giáo dục và đào tạo, sở nội vụ, sở tư pháp, sở công thương, sở giao thông vận tải,
sở tài nguyên và môi trường, sở kế hoạch và đầu tư, sở văn hóa và thể thao, sở du lịch, sở lao động,
thương binh và xã hội, sở khoa học và công nghệ, sở thông tin và truyền thông, sở nông nghiệp,
phát triển nông thôn, kho bạc nhà nước, cục thuế, bảo hiểm xã hội, ngân hàng, công an, quân sự,
bộ chỉ huy, viện kiểm sát, tòa án, thanh tra, đài phát thanh, báo hà nội mới, trường chính trị,
đại hội, đại biểu, nhiệm kỳ, hội nghị, phiên họp, cuộc họp, sinh hoạt chi bộ, sinh hoạt chuyên đề,
kết nạp, đảng viên mới, chuyển sinh hoạt, thẻ đảng, đảng phí, hồ sơ, lý lịch, quy hoạch, luân chuyển,
bổ nhiệm, miễn nhiệm, điều động, nghỉ hưu, chế độ, chính sách, tiền lương, phụ cấp, kinh phí,
ngân sách, dự toán, quyết toán, tài chính, tài sản, đầu tư, mua sắm, đấu thầu, công trình, trụ sở,
phòng chống, tham nhũng, lãng phí, tiêu cực, thực hành tiết kiệm, cải cách hành chính, thủ tục,
dịch vụ công, trực tuyến, một cửa, liên thông, người dân, doanh nghiệp, hài lòng, phản ánh, kiến nghị,
khiếu nại, tố cáo, giải quyết, xử lý, tiếp công dân, đối thoại, dân chủ, cơ sở dân chủ, quy chế dân chủ,
kinh tế, xã hội, văn hóa, giáo dục, y tế, môi trường, biến đổi khí hậu, phòng chống thiên tai,
dịch bệnh, phòng cháy chữa cháy, trật tự an toàn giao thông, quốc phòng, an ninh trật tự, đô thị,
nông thôn mới, giảm nghèo, an sinh xã hội, việc làm, nhà ở, đất đai, quy hoạch đô thị, giao thông,
hạ tầng, thủ đô, văn minh, hiện đại, bền vững, tăng trưởng, phát triển, hội nhập, quốc tế, đối ngoại,
hợp tác, kỷ niệm, ngày thành lập, truyền thống, lịch sử, cách mạng, chiến thắng, giải phóng, thống nhất,
tết nguyên đán, mừng đảng, mừng xuân, ngày quốc khánh, ngày thương binh liệt sĩ, đền ơn đáp nghĩa,
thăm hỏi, tặng quà, gia đình chính sách, người có công, hộ nghèo, cận nghèo, học sinh, sinh viên,
thanh niên, phụ nữ, người cao tuổi, trẻ em, cựu chiến binh, hội viên, đoàn viên, công nhân, lao động,
trí thức, văn nghệ sĩ, nhà khoa học, chuyên gia, chuyên viên, văn thư, lưu trữ, hồ sơ lưu trữ,
mục lục, danh mục, thời hạn, bảo quản, tiêu hủy, sao lưu, phục hồi, tra cứu, tìm kiếm, thống kê,
tổng hợp, phân tích, dự báo, theo dõi, đôn đốc, nhắc nhở, phối hợp, chủ trì, tham mưu, đề xuất,
trình, phê duyệt, ban hành, sửa đổi, bổ sung, thay thế, bãi bỏ, hủy bỏ, thu hồi, đính chính,
hiệu lực, thi hành, tổ chức thực hiện, nơi nhận, lưu, ký thay, thừa lệnh, thừa ủy quyền, tập thể,
cá nhân, tiêu biểu, xuất sắc, hoàn thành tốt, hoàn thành, không hoàn thành, vi phạm, khuyết điểm,
hạn chế, nguyên nhân, bài học kinh nghiệm, phương hướng, thời gian tới, giai đoạn, lộ trình, bước đột phá,
đột phá, trọng tâm, trọng điểm, cấp bách, thường xuyên, định kỳ, đột xuất, hằng năm, hằng quý, hằng tháng,
đầu năm, cuối năm, sáu tháng đầu năm, chín tháng, cả năm, năm học, mùa mưa bão, cao điểm, chiến dịch,
phong trào, cuộc vận động, toàn dân đoàn kết, khu dân cư, tổ dân phố, phường, xã, quận, huyện,
thị xã, thị trấn, cụm, vùng, khu vực, địa bàn, trung tâm, bệnh viện, trường học, trạm y tế, nhà văn hóa,
di tích, danh lam, lễ hội, tín ngưỡng, tôn giáo, dân tộc, đồng bào, kiều bào, đoàn kết, thống nhất ý chí,
niềm tin, sức chiến đấu, năng lực lãnh đạo, tổ chức cơ sở đảng, trong sạch, vững mạnh, tinh gọn,
sắp xếp, bộ máy, biên chế, vị trí việc làm, tinh giản, hợp nhất, sáp nhập, chức năng, quyền hạn,
cơ cấu, điều lệ, điều lệ đảng, cương lĩnh, văn kiện, chiến lược, tầm nhìn, định hướng, chủ trương,
đường lối, pháp luật, luật, nghị định, thông tư, hiến pháp, văn bản quy phạm, rà soát, hệ thống hóa,
kiểm soát, quyền lực, minh bạch, công khai, trách nhiệm giải trình, kê khai, tài sản thu nhập,
xung đột lợi ích, quà tặng, liêm chính, kỷ cương, kỷ luật đảng, thi hành kỷ luật, khiển trách, cảnh cáo,
cách chức, khai trừ, tự phê bình, phê bình, kiểm điểm, góp ý, lấy phiếu tín nhiệm, tín nhiệm,
bầu cử, ứng cử, đề cử, nhân sự, cấp ủy viên, ủy viên, thường trực, thường vụ, tiểu ban, tổ giúp việc,
tổ công tác, đoàn kiểm tra, đoàn giám sát, đoàn công tác, thành viên, trưởng đoàn, phó trưởng đoàn,
thư ký, kết luận kiểm tra, thông báo kết luận, báo cáo kết quả, kiến nghị xử lý, khắc phục, chấn chỉnh,
mạng diện rộng, máy chủ, máy trạm, đường truyền, hội nghị trực tuyến, thư điện tử, cổng thông tin,
trang thông tin điện tử, ứng dụng di động, định danh, xác thực, tài khoản, mật khẩu, sao lưu dữ liệu,
mã độc, tấn công mạng, sự cố, ứng cứu, giám sát an toàn, kiểm thử, nâng cấp, bảo trì, vận hành,
khai thác, kết nối, chia sẻ, liên thông văn bản, trục liên thông, tích hợp, đồng bộ, chuẩn hóa, quy trình,
nghiệp vụ, biểu mẫu, mẫu, phụ lục, đính kèm, kèm theo, tài liệu hội nghị, chương trình hội nghị,
thành phần, thời gian, địa điểm, hội trường, trực tiếp, trực tuyến kết hợp, chuẩn bị, nội dung, ý kiến,
thống nhất, đồng ý, nhất trí, biểu quyết, thông qua, ghi nhận, tiếp thu, giải trình, hoàn thiện,
dự thảo, lấy ý kiến, góp ý dự thảo, văn kiện đại hội, báo cáo chính trị, kiểm điểm ban chấp hành,
nghị quyết đại hội, chương trình hành động, kế hoạch thực hiện, đề cương, tuyên truyền miệng, báo cáo viên,
dư luận xã hội, tình hình tư tưởng, nắm bắt, định hướng thông tin, mạng xã hội, thông tin xấu độc,
đấu tranh, phản bác, quan điểm sai trái, thù địch, bảo vệ nền tảng tư tưởng, diễn biến hòa bình,
tự diễn biến, tự chuyển hóa, suy thoái, phai nhạt lý tưởng, cơ hội, chủ nghĩa cá nhân, lợi ích nhóm,
"""

# Given names and family names for signers.
FAMILY_NAMES = "Nguyễn Trần Lê Phạm Hoàng Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trịnh Đào Phan Lương Mai".split()
MIDDLE_NAMES = "Văn Thị Hữu Đức Minh Thanh Quang Ngọc Thu Hải Xuân Đình Công Kim".split()
GIVEN_NAMES = (
    "An Anh Bình Cường Dũng Đạt Giang Hà Hải Hạnh Hiền Hiếu Hoa Hòa Hùng Hương Huy Khánh Lan Linh "
    "Long Mai Minh Nam Nga Nghĩa Ngọc Nhung Phong Phúc Phương Quân Quang Sơn Tâm Thắng Thảo Thủy "
    "Trang Trung Tú Tuấn Tùng Vân Việt Vinh Yến Đông Định Đức Tiến"
).split()
POSITIONS = ["Bí thư", "Phó Bí thư", "Chánh Văn phòng", "Trưởng ban", "Phó Trưởng ban", "Chủ nhiệm"]


def _split(block: str) -> list[str]:
    return [w.strip() for w in block.replace("\n", " ").split(",") if w.strip()]


def words() -> list[str]:
    """Function words first (most frequent), then content words in a fixed shuffled order."""
    import random

    content = _split(CONTENT_WORDS)
    random.Random(20260101).shuffle(content)
    seen: dict[str, None] = {}
    for w in _split(FUNCTION_WORDS) + content:
        seen.setdefault(w, None)
    return list(seen)
