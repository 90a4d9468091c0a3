"""The demo installation's data: the organisation tree, names, and the texts of documents.

Everything here is plain data so that it can be read and corrected by someone who knows the
Bloc's organisations better than the programmer. The seeding logic lives in `seed.py`.
"""

from __future__ import annotations

# --- the organisation tree ----------------------------------------------------------------------

CITY = {"name": "Thành ủy Hà Nội", "short_name": "TU", "code": "000.00.00.H26"}
BLOC = {"name": "Đảng ủy Khối các cơ quan Thành phố Hà Nội", "short_name": "ĐUK", "code": "000.00.31.H26"}

# (slug used in usernames, full name, short name for symbols, code, leader's position)
BLOC_OFFICES = [
    ("vanphong", "Văn phòng Đảng ủy Khối", "VPĐUK", "000.01.31.H26", "Chánh Văn phòng"),
    ("bantochuc", "Ban Tổ chức Đảng ủy Khối", "BTCĐUK", "000.02.31.H26", "Trưởng Ban Tổ chức"),
    ("ubkt", "Ủy ban Kiểm tra Đảng ủy Khối", "UBKTĐUK", "000.03.31.H26", "Chủ nhiệm Ủy ban Kiểm tra"),
    ("bantuyengiao", "Ban Tuyên giáo và Dân vận Đảng ủy Khối", "BTGDVĐUK", "000.04.31.H26", "Trưởng Ban Tuyên giáo và Dân vận"),
]

C, CELL = "committee", "cell"

# The grassroots party organisations of the Bloc: (slug, kind, name after "Đảng bộ"/"Chi bộ").
# Named after Hanoi's departments, agencies, public hospitals, schools and city-owned companies.
GRASSROOTS: list[tuple[str, str, str]] = [
    # departments and agencies of the City
    ("sotaichinh", C, "Sở Tài chính"),
    ("soxaydung", C, "Sở Xây dựng"),
    ("soyte", C, "Sở Y tế"),
    ("sogddt", C, "Sở Giáo dục và Đào tạo"),
    ("vpubnd", C, "Văn phòng UBND Thành phố"),
    ("vphdnd", C, "Văn phòng Đoàn đại biểu Quốc hội và HĐND Thành phố"),
    ("sonoivu", C, "Sở Nội vụ"),
    ("socongthuong", C, "Sở Công Thương"),
    ("sonnmt", C, "Sở Nông nghiệp và Môi trường"),
    ("sokhcn", C, "Sở Khoa học và Công nghệ"),
    ("sovhtt", C, "Sở Văn hóa và Thể thao"),
    ("sodulich", C, "Sở Du lịch"),
    ("soqhkt", C, "Sở Quy hoạch - Kiến trúc"),
    ("sotuphap", CELL, "Sở Tư pháp"),
    ("sodttg", CELL, "Sở Dân tộc và Tôn giáo"),
    ("thanhtra", CELL, "Thanh tra Thành phố"),
    ("bqlkcn", C, "Ban Quản lý các khu công nghiệp và chế xuất"),
    ("hcc", C, "Trung tâm Phục vụ hành chính công Thành phố"),
    ("quydautu", C, "Quỹ Đầu tư phát triển Thành phố"),
    ("cucthue", C, "Thuế Thành phố Hà Nội"),
    ("haiquan", C, "Hải quan Thành phố Hà Nội"),
    ("bhxh", C, "Bảo hiểm xã hội Thành phố Hà Nội"),
    ("nhnn", C, "Ngân hàng Nhà nước Chi nhánh Khu vực 1"),
    ("thongke", CELL, "Thống kê Thành phố Hà Nội"),
    ("khobac", C, "Kho bạc Nhà nước Khu vực I"),
    ("lmhtx", CELL, "Liên minh Hợp tác xã Thành phố"),
    ("vienncpt", CELL, "Viện Nghiên cứu phát triển kinh tế - xã hội Hà Nội"),
    ("cds", CELL, "Trung tâm Chuyển đổi số Thành phố"),
    ("xuctien", CELL, "Trung tâm Xúc tiến đầu tư, thương mại, du lịch Thành phố"),
    ("quydat", C, "Trung tâm Phát triển quỹ đất Hà Nội"),
    ("ntm", CELL, "Văn phòng Điều phối chương trình xây dựng nông thôn mới Thành phố"),
    ("quantrac", CELL, "Trung tâm Quan trắc tài nguyên và môi trường Hà Nội"),
    # project management boards
    ("bqldadd", C, "Ban Quản lý dự án đầu tư xây dựng công trình dân dụng Thành phố"),
    ("bqldagt", C, "Ban Quản lý dự án đầu tư xây dựng công trình giao thông Thành phố"),
    ("bqldanuoc", C, "Ban Quản lý dự án đầu tư xây dựng công trình cấp nước, thoát nước và môi trường Thành phố"),
    ("bqldann", C, "Ban Quản lý dự án đầu tư xây dựng công trình nông nghiệp và phát triển nông thôn Thành phố"),
    ("bqlduongsat", C, "Ban Quản lý đường sắt đô thị Hà Nội"),
    ("bqltrongdiem", C, "Ban Quản lý các dự án trọng điểm phát triển đô thị Hà Nội"),
    # press, culture, training
    ("hanoimoi", C, "Báo Hà Nội Mới"),
    ("hanoitv", C, "Đài Phát thanh và Truyền hình Hà Nội"),
    ("tohieu", C, "Trường Chính trị Tô Hiệu"),
    ("thanglong", C, "Trung tâm Bảo tồn di sản Thăng Long - Hà Nội"),
    ("ditich", CELL, "Ban Quản lý di tích và danh thắng Hà Nội"),
    ("thuvien", CELL, "Thư viện Hà Nội"),
    ("baotang", CELL, "Bảo tàng Hà Nội"),
    ("nhahatcheo", CELL, "Nhà hát Chèo Hà Nội"),
    ("nhahatkich", CELL, "Nhà hát Kịch Hà Nội"),
    ("caoluong", CELL, "Nhà hát Cải lương Hà Nội"),
    ("hoivhnt", CELL, "Hội Văn học Nghệ thuật Hà Nội"),
    ("hoinhabao", CELL, "Hội Nhà báo Thành phố Hà Nội"),
    ("lhhkhkt", CELL, "Liên hiệp các Hội Khoa học và Kỹ thuật Thành phố"),
    ("lhhuunghi", CELL, "Liên hiệp các tổ chức hữu nghị Thành phố"),
    # public hospitals and health centres
    ("xanhpon", C, "Bệnh viện Đa khoa Xanh Pôn"),
    ("thanhnhan", C, "Bệnh viện Thanh Nhàn"),
    ("ducgiang", C, "Bệnh viện Đa khoa Đức Giang"),
    ("bvtim", C, "Bệnh viện Tim Hà Nội"),
    ("ungbuou", C, "Bệnh viện Ung bướu Hà Nội"),
    ("phusan", C, "Bệnh viện Phụ sản Hà Nội"),
    ("bvnhi", C, "Bệnh viện Nhi Hà Nội"),
    ("hadong", C, "Bệnh viện Đa khoa Hà Đông"),
    ("dongda", C, "Bệnh viện Đa khoa Đống Đa"),
    ("bvmat", C, "Bệnh viện Mắt Hà Nội"),
    ("bacthanglong", C, "Bệnh viện Bắc Thăng Long"),
    ("hoenhai", C, "Bệnh viện Đa khoa Hòe Nhai"),
    ("sontay", C, "Bệnh viện Đa khoa Sơn Tây"),
    ("tamthan", C, "Bệnh viện Tâm thần Hà Nội"),
    ("bvphoi", C, "Bệnh viện Phổi Hà Nội"),
    ("dalieu", CELL, "Bệnh viện Da liễu Hà Nội"),
    ("yhct", C, "Bệnh viện Y học cổ truyền Hà Nội"),
    ("donganh", C, "Bệnh viện Đa khoa Đông Anh"),
    ("bvthan", CELL, "Bệnh viện Thận Hà Nội"),
    ("cdc", C, "Trung tâm Kiểm soát bệnh tật Thành phố Hà Nội"),
    ("capcuu115", CELL, "Trung tâm Cấp cứu 115 Hà Nội"),
    # universities and colleges of the City
    ("dhthudo", C, "Trường Đại học Thủ đô Hà Nội"),
    ("cdyte", C, "Trường Cao đẳng Y tế Hà Nội"),
    ("cdytehadong", C, "Trường Cao đẳng Y tế Hà Đông"),
    ("cdcnc", C, "Trường Cao đẳng Nghề Công nghệ cao Hà Nội"),
    ("cdtmdl", C, "Trường Cao đẳng Thương mại và Du lịch Hà Nội"),
    ("cdcodien", C, "Trường Cao đẳng Cơ điện Hà Nội"),
    ("cdcnmt", C, "Trường Cao đẳng Công nghệ và Môi trường Hà Nội"),
    ("cddtdl", C, "Trường Cao đẳng Điện tử - Điện lạnh Hà Nội"),
    ("cdnghethuat", CELL, "Trường Cao đẳng Nghệ thuật Hà Nội"),
    ("cdsuphamhatay", C, "Trường Cao đẳng Sư phạm Hà Tây"),
    # companies owned by the City, and enterprises in the Bloc
    ("transerco", C, "Tổng Công ty Vận tải Hà Nội"),
    ("nuocsach", C, "Công ty TNHH MTV Nước sạch Hà Nội"),
    ("thoatnuoc", C, "Công ty TNHH MTV Thoát nước Hà Nội"),
    ("urenco", C, "Công ty TNHH MTV Môi trường đô thị Hà Nội"),
    ("hanoimetro", C, "Công ty TNHH MTV Đường sắt Hà Nội"),
    ("hanoitourist", C, "Tổng Công ty Du lịch Hà Nội"),
    ("hapro", C, "Tổng Công ty Thương mại Hà Nội"),
    ("handico", C, "Tổng Công ty Đầu tư và Phát triển nhà Hà Nội"),
    ("hapulico", C, "Công ty TNHH MTV Chiếu sáng và Thiết bị đô thị"),
    ("cayxanh", C, "Công ty TNHH MTV Công viên cây xanh Hà Nội"),
    ("songday", C, "Công ty TNHH MTV Thủy lợi Sông Đáy"),
    ("songnhue", C, "Công ty TNHH MTV Đầu tư phát triển thủy lợi Sông Nhuệ"),
    ("songtich", C, "Công ty TNHH MTV Thủy lợi Sông Tích"),
    ("xoso", CELL, "Công ty TNHH MTV Xổ số Thủ đô"),
    ("qlptnha", C, "Công ty TNHH MTV Quản lý và Phát triển nhà Hà Nội"),
    ("benxe", C, "Công ty Cổ phần Bến xe Hà Nội"),
    ("nongnghiephn", CELL, "Công ty TNHH MTV Đầu tư và Phát triển nông nghiệp Hà Nội"),
    ("vuonthu", CELL, "Công ty TNHH MTV Vườn thú Hà Nội"),
    ("evnhanoi", C, "Tổng Công ty Điện lực Thành phố Hà Nội"),
    ("nhaxuatban", CELL, "Nhà xuất bản Hà Nội"),
    ("hanoigas", CELL, "Công ty Cổ phần Khí đốt Hà Nội"),
    ("thucpham", C, "Công ty Cổ phần Thực phẩm Hà Nội"),
]

# Sub-cells (chi bộ trực thuộc) under a few grassroots committees: (parent slug, name).
SUB_CELLS = [
    ("sotaichinh", "Chi bộ Phòng Quản lý ngân sách"),
    ("sotaichinh", "Chi bộ Văn phòng Sở Tài chính"),
    ("soyte", "Chi bộ Phòng Nghiệp vụ Y"),
    ("hanoimoi", "Chi bộ Ban Thời sự"),
]

# The people the command prints, whose inboxes and queues are filled on purpose.
SHOWCASE_ORG = "sotaichinh"
DUAL_ROLE_ORG = "thanhtra"  # its cell secretary also sits on the Bloc's standing committee

# --- Vietnamese names ---------------------------------------------------------------------------

# Family names weighted roughly by how common they are.
FAMILY_NAMES = (
    ["Nguyễn"] * 12 + ["Trần"] * 4 + ["Lê"] * 4 + ["Phạm"] * 3 + ["Hoàng"] * 2 + ["Vũ"] * 2
    + ["Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Phan", "Đinh", "Trịnh", "Đào",
       "Lương", "Tạ", "Chu", "Kiều", "Khuất", "Nghiêm", "Quách", "Mai", "Cao", "Lưu", "Tô"]
)
MIDDLE_MALE = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Mạnh", "Thanh", "Xuân", "Tiến", "Công",
               "Ngọc", "Trung", "Duy", "Hồng", "Anh", "Việt", "Tuấn", "Đình"]
MIDDLE_FEMALE = ["Thị", "Thu", "Thanh", "Ngọc", "Minh", "Hồng", "Phương", "Thúy", "Kim",
                 "Diệu", "Lan", "Bích", "Hải", "Mai", "Quỳnh", "Thị Thu", "Thị Minh"]
GIVEN_MALE = ["Hùng", "Dũng", "Tuấn", "Hải", "Sơn", "Long", "Nam", "Thắng", "Cường", "Quân",
              "Trung", "Hiếu", "Đức", "Anh", "Huy", "Khánh", "Phong", "Thành", "Bình", "Tùng",
              "Vinh", "Lâm", "Hoàng", "Kiên", "Toàn", "Hưng", "Việt", "Quang", "Tâm", "Lộc"]
GIVEN_FEMALE = ["Hương", "Lan", "Hoa", "Mai", "Hà", "Linh", "Thảo", "Trang", "Huyền", "Nga",
                "Hằng", "Yến", "Vân", "Loan", "Phương", "Ngọc", "Thủy", "Dung", "Liên", "Oanh",
                "Hạnh", "Nhung", "Thư", "Giang", "Hiền", "Tâm", "Quyên", "Ánh", "Châm", "Lụa"]

# --- the texts of documents ---------------------------------------------------------------------
# Placeholders filled by the seeder: {year}, {next_year}, {period} (a reporting period that fits the
# issue date), {month}, {quarter}, {org} (a grassroots organisation's name), {n} (a small number).

# Documents the Bloc's committee (and its standing committee) sends down.
# (type, subject template, asks for a reply by a deadline?)
BLOC_SUBJECTS: list[tuple[str, str, bool]] = [
    ("NQ", "Nghị quyết về lãnh đạo thực hiện nhiệm vụ chính trị năm {year}", False),
    ("NQ", "Nghị quyết về đẩy mạnh chuyển đổi số trong hoạt động của các tổ chức đảng thuộc Đảng bộ Khối giai đoạn 2025-2030", False),
    ("NQ", "Nghị quyết về nâng cao chất lượng sinh hoạt chi bộ giai đoạn 2025-2030", False),
    ("CT", "Chỉ thị về tăng cường sự lãnh đạo của các cấp ủy đảng đối với công tác phòng, chống tham nhũng, lãng phí, tiêu cực", False),
    ("CT", "Chỉ thị về lãnh đạo tổ chức bầu cử đại biểu Quốc hội khóa XVI và đại biểu Hội đồng nhân dân các cấp nhiệm kỳ 2026-2031", False),
    ("KL", "Kết luận của Ban Thường vụ Đảng ủy Khối về kết quả thực hiện nhiệm vụ {period}", False),
    ("QĐ", "Quyết định thành lập Đoàn kiểm tra việc thực hiện Quy định số 22-QĐ/TW tại {org}", False),
    ("QĐ", "Quyết định chuẩn y kết quả bầu bổ sung cấp ủy viên {org} nhiệm kỳ 2025-2030", False),
    ("QĐ", "Quyết định khen thưởng tổ chức cơ sở đảng hoàn thành xuất sắc nhiệm vụ năm {prev_year}", False),
    ("QĐ", "Quyết định tặng Huy hiệu Đảng đợt {holiday}", False),
    ("QC", "Quy chế làm việc của Ban Chấp hành Đảng bộ Khối các cơ quan Thành phố nhiệm kỳ 2025-2030", False),
    ("QC", "Quy chế gửi, nhận, xử lý văn bản điện tử và sử dụng chữ ký số trong các tổ chức đảng thuộc Đảng bộ Khối", False),
    ("CTr", "Chương trình công tác kiểm tra, giám sát năm {year} của Ban Chấp hành Đảng bộ Khối", False),
    ("CTr", "Chương trình hành động thực hiện Nghị quyết Đại hội Đảng bộ Thành phố lần thứ XVIII", False),
    ("KH", "Kế hoạch tổ chức Hội nghị học tập, quán triệt Nghị quyết Đại hội Đảng bộ Thành phố lần thứ XVIII", True),
    ("KH", "Kế hoạch học tập, quán triệt và triển khai thực hiện Nghị quyết Đại hội đại biểu toàn quốc lần thứ XIV của Đảng", True),
    ("KH", "Kế hoạch tổ chức các hoạt động kỷ niệm 96 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2026)", False),
    ("KH", "Kế hoạch tổ chức các hoạt động kỷ niệm 136 năm Ngày sinh Chủ tịch Hồ Chí Minh (19/5/1890 - 19/5/2026)", False),
    ("KH", "Kế hoạch kiểm điểm, đánh giá, xếp loại chất lượng tổ chức đảng, đảng viên năm {year}", True),
    ("KH", "Kế hoạch kiểm tra, giám sát {period} đối với tổ chức đảng và đảng viên", False),
    ("KH", "Kế hoạch bồi dưỡng lý luận chính trị cho đảng viên mới năm {year}", True),
    ("KH", "Kế hoạch tuyên truyền cuộc bầu cử đại biểu Quốc hội khóa XVI và đại biểu Hội đồng nhân dân các cấp nhiệm kỳ 2026-2031", False),
    ("KH", "Kế hoạch triển khai hệ thống gửi, nhận văn bản điện tử và chữ ký số đến các tổ chức cơ sở đảng", True),
    ("HD", "Hướng dẫn kiểm điểm, đánh giá, xếp loại chất lượng tập thể, cá nhân năm {year}", True),
    ("HD", "Hướng dẫn thu, nộp, quản lý và sử dụng đảng phí trong Đảng bộ Khối", False),
    ("HD", "Hướng dẫn nghiệp vụ công tác văn thư, lưu trữ và gửi, nhận văn bản điện tử của các tổ chức đảng", False),
    ("HD", "Hướng dẫn sinh hoạt chi bộ theo chuyên đề năm {year}", False),
    ("HD", "Hướng dẫn tổng kết công tác xây dựng Đảng năm {year}", True),
    ("TB", "Thông báo kết luận của Thường trực Đảng ủy Khối tại buổi làm việc với {org}", False),
    ("TB", "Thông báo kết quả kiểm tra việc thực hiện Quy chế làm việc tại {org}", False),
    ("TB", "Thông báo lịch làm việc của Thường trực Đảng ủy Khối tháng {month}/{year}", False),
    ("TB", "Thông báo chiêu sinh lớp bồi dưỡng nhận thức về Đảng khóa {n} năm {year}", True),
    ("CV", "Về việc báo cáo kết quả thực hiện nhiệm vụ {period}", True),
    ("CV", "Về việc đôn đốc nộp báo cáo kiểm điểm, đánh giá, xếp loại chất lượng tổ chức đảng năm {prev_year}", True),
    ("CV", "Về việc cử cán bộ tham dự lớp bồi dưỡng nghiệp vụ công tác văn thư, lưu trữ", True),
    ("CV", "Về việc triển khai sử dụng hệ thống gửi, nhận văn bản điện tử VanThu", False),
    ("CV", "Về việc rà soát, cập nhật dữ liệu đảng viên trên hệ thống Cơ sở dữ liệu đảng viên", True),
    ("CV", "Về việc tăng cường công tác bảo vệ bí mật nhà nước trong các cơ quan, đơn vị", False),
    ("CV", "Về việc góp ý dự thảo báo cáo chính trị trình Hội nghị Ban Chấp hành Đảng bộ Khối", True),
    ("CV", "Về việc tổ chức Tết Trồng cây \"Đời đời nhớ ơn Bác Hồ\" Xuân {year}", False),
    ("CV", "Về việc đăng ký chỉ tiêu kết nạp đảng viên năm {year}", True),
    ("GM", "Giấy mời dự Hội nghị sơ kết công tác xây dựng Đảng {period}", False),
    ("GM", "Giấy mời dự Hội nghị tập huấn nghiệp vụ công tác kiểm tra, giám sát năm {year}", False),
    ("GM", "Giấy mời dự Hội nghị trực tuyến quán triệt Nghị quyết của Ban Chấp hành Trung ương", False),
]

# What the Bloc's office and boards send (office slug → subjects).
OFFICE_SUBJECTS: dict[str, list[tuple[str, str, bool]]] = {
    "vanphong": [
        ("CV", "Về việc thực hiện chế độ thông tin, báo cáo định kỳ {period}", True),
        ("CV", "Về việc kiểm tra, đánh giá ứng dụng công nghệ thông tin trong các tổ chức đảng năm {year}", True),
        ("CV", "Về việc cấp chứng thư số cho các tổ chức cơ sở đảng", True),
        ("TB", "Thông báo lịch trực Tết Nguyên đán Bính Ngọ năm 2026", False),
        ("HD", "Hướng dẫn thể thức và kỹ thuật trình bày văn bản trong các tổ chức đảng", False),
        ("GM", "Giấy mời dự tập huấn sử dụng chữ ký số và hệ thống văn bản điện tử", False),
    ],
    "bantochuc": [
        ("HD", "Hướng dẫn quy trình kết nạp đảng viên và công nhận đảng viên chính thức", False),
        ("CV", "Về việc thẩm định hồ sơ đề nghị kết nạp đảng viên của {org}", False),
        ("CV", "Về việc đề nghị tặng Huy hiệu Đảng đợt {holiday}", True),
        ("CV", "Về việc rà soát, bổ sung quy hoạch cấp ủy nhiệm kỳ 2025-2030", True),
        ("TB", "Thông báo kết quả thẩm định hồ sơ đảng viên của {org}", False),
    ],
    "ubkt": [
        ("KH", "Kế hoạch kiểm tra, giám sát chuyên đề {period}", False),
        ("TB", "Thông báo kết luận kiểm tra việc thu, nộp, quản lý và sử dụng đảng phí tại {org}", False),
        ("CV", "Về việc báo cáo kết quả công tác kiểm tra, giám sát {period}", True),
        ("HD", "Hướng dẫn thực hiện một số điều về công tác kiểm tra, giám sát và kỷ luật của Đảng", False),
    ],
    "bantuyengiao": [
        ("HD", "Hướng dẫn tuyên truyền kỷ niệm các ngày lễ lớn và sự kiện lịch sử năm {year}", False),
        ("CV", "Về việc báo cáo tình hình tư tưởng cán bộ, đảng viên {period}", True),
        ("KH", "Kế hoạch thực hiện công tác dân vận {period}", False),
        ("CV", "Về việc tổ chức cuộc thi tìm hiểu lịch sử Đảng bộ Thành phố Hà Nội", False),
        ("TB", "Thông báo nội dung sinh hoạt chi bộ tháng {month}/{year}", False),
    ],
}

# What grassroots organisations send up. (type, subject, which part of the Bloc receives it
# besides the Bloc committee: an office slug or None.)
GRASSROOTS_SUBJECTS: list[tuple[str, str, str | None]] = [
    ("BC", "Báo cáo kết quả công tác xây dựng Đảng {period}", None),
    ("BC", "Báo cáo kết quả thực hiện nhiệm vụ chính trị {period}, phương hướng nhiệm vụ thời gian tới", None),
    ("BC", "Báo cáo kết quả công tác kiểm tra, giám sát {period}", "ubkt"),
    ("BC", "Báo cáo tình hình tư tưởng cán bộ, đảng viên {period}", "bantuyengiao"),
    ("BC", "Báo cáo kết quả kiểm điểm, đánh giá, xếp loại chất lượng tổ chức đảng và đảng viên năm {prev_year}", "bantochuc"),
    ("BC", "Báo cáo kết quả thu, nộp đảng phí {period}", "vanphong"),
    ("BC", "Báo cáo kết quả học tập, quán triệt Nghị quyết Đại hội Đảng bộ Thành phố lần thứ XVIII", "bantuyengiao"),
    ("BC", "Báo cáo kết quả ứng dụng công nghệ thông tin, gửi nhận văn bản điện tử {period}", "vanphong"),
    ("BC", "Báo cáo kết quả thực hiện công tác dân vận {period}", "bantuyengiao"),
    ("BC", "Báo cáo kết quả tổ chức các hoạt động kỷ niệm 96 năm Ngày thành lập Đảng", "bantuyengiao"),
    ("TTr", "Tờ trình đề nghị kết nạp đảng viên mới", "bantochuc"),
    ("TTr", "Tờ trình đề nghị công nhận đảng viên chính thức", "bantochuc"),
    ("TTr", "Tờ trình đề nghị tặng Huy hiệu 30 năm tuổi Đảng cho đảng viên", "bantochuc"),
    ("TTr", "Tờ trình đề nghị chuẩn y bổ sung cấp ủy viên nhiệm kỳ 2025-2030", "bantochuc"),
    ("TTr", "Tờ trình đề nghị khen thưởng đảng viên hoàn thành xuất sắc nhiệm vụ {n} năm liền", "bantochuc"),
    ("CV", "Về việc đăng ký cán bộ tham dự lớp bồi dưỡng lý luận chính trị dành cho đảng viên mới", "bantochuc"),
    ("CV", "Về việc giới thiệu đảng viên chuyển sinh hoạt đảng chính thức", "bantochuc"),
    ("CV", "Về việc đăng ký thi đua năm {year}", "vanphong"),
    ("CV", "Về việc giải trình việc nộp chậm báo cáo {period}", "vanphong"),
    ("CV", "Về việc đề nghị cấp chứng thư số cho tổ chức đảng", "vanphong"),
    ("CV", "Về việc góp ý dự thảo văn kiện trình Hội nghị Ban Chấp hành Đảng bộ Khối", None),
    ("KH", "Kế hoạch tổ chức Hội nghị học tập, quán triệt Nghị quyết Đại hội Đảng bộ Thành phố lần thứ XVIII", "bantuyengiao"),
    ("KH", "Kế hoạch kiểm tra, giám sát năm {year} của Ủy ban Kiểm tra Đảng ủy", "ubkt"),
    ("NQ", "Nghị quyết về lãnh đạo thực hiện nhiệm vụ chính trị năm {year}", None),
    ("CTr", "Chương trình công tác toàn khóa của Ban Chấp hành nhiệm kỳ 2025-2030", None),
    ("BB", "Biên bản kiểm phiếu bầu bổ sung cấp ủy viên nhiệm kỳ 2025-2030", "bantochuc"),
]

# Body paragraphs by document type (a few are picked for each PDF); "*" serves every type.
BODY: dict[str, list[str]] = {
    "*": [
        "Thực hiện Chương trình công tác năm {year} và căn cứ tình hình thực tế, cấp ủy đề nghị các đồng chí triển khai thực hiện nghiêm túc các nội dung sau đây.",
        "Các cấp ủy, tổ chức đảng chủ động xây dựng kế hoạch cụ thể, phân công rõ người, rõ việc, rõ thời hạn hoàn thành và thường xuyên kiểm tra, đôn đốc việc thực hiện.",
        "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, đề nghị kịp thời phản ánh về Văn phòng Đảng ủy Khối để tổng hợp, báo cáo Thường trực Đảng ủy Khối xem xét, giải quyết.",
        "Văn bản này được gửi, nhận qua hệ thống văn bản điện tử và có giá trị pháp lý như bản giấy khi được ký số theo quy định.",
    ],
    "BC": [
        "Trong kỳ báo cáo, cấp ủy đã lãnh đạo cán bộ, đảng viên hoàn thành tốt nhiệm vụ chính trị được giao; tình hình tư tưởng cán bộ, đảng viên ổn định, tin tưởng vào sự lãnh đạo của Đảng.",
        "Công tác xây dựng Đảng về chính trị, tư tưởng, đạo đức, tổ chức và cán bộ được quan tâm; nền nếp sinh hoạt chi bộ được duy trì, chất lượng sinh hoạt từng bước được nâng lên.",
        "Bên cạnh những kết quả đạt được, việc cập nhật dữ liệu và gửi, nhận văn bản điện tử ở một số chi bộ còn chậm; cấp ủy đã chỉ ra nguyên nhân và đề ra giải pháp khắc phục.",
        "Phương hướng thời gian tới: tiếp tục đổi mới phương thức lãnh đạo, nâng cao năng lực lãnh đạo và sức chiến đấu của tổ chức đảng, đẩy mạnh ứng dụng công nghệ thông tin.",
    ],
    "KH": [
        "I. MỤC ĐÍCH, YÊU CẦU: Quán triệt sâu sắc, đầy đủ nội dung, tạo sự thống nhất cao về nhận thức và hành động trong toàn Đảng bộ; việc tổ chức phải nghiêm túc, thiết thực, hiệu quả.",
        "II. NỘI DUNG, HÌNH THỨC: Tổ chức hội nghị trực tiếp kết hợp trực tuyến; các chi bộ tổ chức thảo luận, liên hệ với nhiệm vụ của cơ quan, đơn vị.",
        "III. TỔ CHỨC THỰC HIỆN: Văn phòng chủ trì, phối hợp với các ban tham mưu chuẩn bị tài liệu, cơ sở vật chất; các tổ chức đảng báo cáo kết quả đúng thời hạn.",
    ],
    "TTr": [
        "Căn cứ Điều lệ Đảng và các quy định, hướng dẫn thi hành Điều lệ Đảng hiện hành; xét đề nghị của chi bộ và kết quả thẩm định hồ sơ.",
        "Đảng ủy kính trình Ban Thường vụ Đảng ủy Khối xem xét, quyết định. Hồ sơ kèm theo gồm đầy đủ các văn bản theo quy định.",
    ],
    "TB": [
        "Tại buổi làm việc, sau khi nghe báo cáo và ý kiến của các đồng chí dự họp, đồng chí chủ trì đã kết luận như sau.",
        "Ghi nhận, biểu dương những kết quả đạt được; đồng thời đề nghị khắc phục ngay những hạn chế đã được chỉ ra trong thời gian sớm nhất.",
    ],
    "HD": [
        "Hướng dẫn này áp dụng đối với các tổ chức cơ sở đảng, chi bộ trực thuộc và đảng viên trong Đảng bộ Khối các cơ quan Thành phố.",
        "Các tổ chức đảng căn cứ hướng dẫn để cụ thể hóa cho phù hợp với đặc điểm, tình hình của cơ quan, đơn vị mình.",
    ],
    "GM": [
        "Thành phần: đồng chí Bí thư hoặc Phó Bí thư cấp ủy và đồng chí văn thư cấp ủy của đơn vị.",
        "Thời gian: 08 giờ 00, tại Hội trường tầng 3, trụ sở Đảng ủy Khối. Đề nghị các đồng chí đến dự đầy đủ, đúng giờ.",
    ],
    "QĐ": [
        "Căn cứ Điều lệ Đảng; căn cứ Quy chế làm việc của Ban Chấp hành Đảng bộ Khối nhiệm kỳ 2025-2030; xét đề nghị của Ban Tổ chức Đảng ủy Khối.",
        "Điều 1. Quyết định có hiệu lực kể từ ngày ký. Điều 2. Các đồng chí có tên tại Điều 1 và các tổ chức đảng có liên quan căn cứ quyết định thi hành.",
    ],
}

# Why a clerk refuses an electronic document (status 02).
REJECT_REASONS = [
    "Văn bản gửi nhầm đơn vị nhận, đề nghị kiểm tra lại nơi nhận.",
    "Tệp văn bản thiếu trang, đề nghị gửi lại bản đầy đủ.",
    "Văn bản chưa được ký số, đề nghị ký số trước khi gửi.",
    "Văn bản trùng với văn bản đã nhận trước đó.",
    "Nội dung văn bản thuộc thẩm quyền giải quyết của đơn vị khác.",
]

ASSIGN_NOTES = [
    "Đề nghị đồng chí chủ trì tham mưu, báo cáo kết quả trước thời hạn.",
    "Giao đồng chí nghiên cứu, tham mưu văn bản triển khai tại đơn vị.",
    "Đồng chí chủ trì tổng hợp số liệu, dự thảo báo cáo trình Thường trực.",
    "Chủ trì phối hợp với các chi bộ triển khai thực hiện.",
]

DONE_NOTES = [
    "Đã tham mưu văn bản trả lời.",
    "Đã triển khai đến các chi bộ trực thuộc.",
    "Đã tổng hợp, báo cáo đúng thời hạn.",
    "Đã lưu hồ sơ, không phát sinh công việc.",
]

# Senders of paper documents registered by clerks: (name, code or "", symbol pattern, type).
PAPER_SENDERS: list[tuple[str, str, str]] = [
    ("Văn phòng Thành ủy Hà Nội", "000.01.00.H26", "{n}-CV/VPTU"),
    ("Ban Tổ chức Thành ủy Hà Nội", "000.02.00.H26", "{n}-HD/BTCTU"),
    ("Ban Tuyên giáo và Dân vận Thành ủy Hà Nội", "000.04.00.H26", "{n}-KH/BTGDVTU"),
    ("Ủy ban Kiểm tra Thành ủy Hà Nội", "000.03.00.H26", "{n}-TB/UBKTTU"),
    ("Ủy ban nhân dân Thành phố Hà Nội", "", "{n}/UBND-KGVX"),
    ("Ủy ban Mặt trận Tổ quốc Việt Nam Thành phố Hà Nội", "", "{n}/MTTQ-BTT"),
    ("Liên đoàn Lao động Thành phố Hà Nội", "", "{n}/LĐLĐ"),
    ("Thành đoàn Hà Nội", "", "{n}-CV/TĐTN-VP"),
    ("Hội Cựu chiến binh Thành phố Hà Nội", "", "{n}/HCCB"),
    ("Công đoàn Viên chức Thành phố Hà Nội", "", "{n}/CĐVC"),
]

PAPER_SUBJECTS: list[tuple[str, str]] = [
    ("CV", "Về việc phối hợp tổ chức các hoạt động chào mừng Ngày Quốc khánh 2/9"),
    ("CV", "Về việc tham gia Giải thưởng Báo chí về xây dựng Đảng (Búa liềm vàng) năm {year}"),
    ("KH", "Kế hoạch tổ chức Tháng Công nhân năm {year}"),
    ("HD", "Hướng dẫn công tác phát triển đảng viên trong các đơn vị ngoài khu vực nhà nước"),
    ("TB", "Thông báo ý kiến chỉ đạo của Thường trực Thành ủy về công tác cán bộ"),
    ("GM", "Giấy mời dự Lễ trao tặng Huy hiệu Đảng đợt {holiday}"),
    ("CV", "Về việc ủng hộ Quỹ \"Vì người nghèo\" Thành phố năm {year}"),
    ("KH", "Kế hoạch tuyên truyền kỷ niệm 72 năm Ngày Giải phóng Thủ đô (10/10/1954 - 10/10/2026)"),
    ("CV", "Về việc tổ chức hiến máu tình nguyện năm {year}"),
    ("BC", "Báo cáo tình hình thực hiện Quy chế dân chủ ở cơ sở {period}"),
]
